import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session } from './api.js';
import { Login } from './login.js';
import { Dashboard } from './dashboard.js';
import { Agents } from './agents.js';
import { Scenarios } from './scenarios.js';
import { SetupWizard } from './setup/setup-wizard.js';
import './style.css';

type Page = 'dashboard' | 'agents' | 'scenarios' | 'setup';
/** `operatorOnly`: left out for a customer admin, whom the server would refuse. */
const PAGES: Array<{ page: Page; title: string; operatorOnly?: boolean }> = [
  { page: 'dashboard', title: 'Dashboard' },
  { page: 'agents', title: 'Agents' },
  { page: 'scenarios', title: 'Scenarios', operatorOnly: true },
  { page: 'setup', title: 'Setup', operatorOnly: true },
];

const pageOf = (path: string): Page => PAGES.find((p) => path.startsWith(`/admin/${p.page}`))?.page ?? 'dashboard';

function go(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

function App() {
  const [loggedIn, setLoggedIn] = useState(session.token() !== null);
  const [page, setPage] = useState<Page>(pageOf(location.pathname));
  useEffect(() => {
    const onPop = () => setPage(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    document.title = `${loggedIn ? PAGES.find((p) => p.page === page)?.title : 'Log in'} · AgentOS Comms`;
  }, [page, loggedIn]);

  if (!loggedIn) return <Login onLoggedIn={() => { setLoggedIn(true); if (location.pathname === '/admin/' || location.pathname === '/admin') go('/admin/dashboard'); }} />;
  return (
    <>
      <header class="bar">
        <nav aria-label="Console">
          {PAGES.filter((p) => !(p.operatorOnly && session.isCustomerAdmin())).map((p) => (
            <a key={p.page} href={`/admin/${p.page}`} aria-current={p.page === page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); go(`/admin/${p.page}`); }}>{p.title}</a>
          ))}
          <a href="/admin/api-docs">API explorer</a>
        </nav>
        <button type="button" class="link" onClick={() => { session.logOut(); setLoggedIn(false); }}>Log out</button>
      </header>
      <main>{page === 'agents' ? <Agents /> : page === 'scenarios' ? <Scenarios /> : page === 'setup' ? <SetupWizard /> : <Dashboard />}</main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
