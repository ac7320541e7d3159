import { Fragment } from 'preact';
import { stepDetail, stepDone, type StepProps } from './setup-types.js';

const DIALECTS: Record<string, string> = { sqlite: 'SQLite (embedded: one file, one server)', postgresql: 'PostgreSQL' };

/** Step 3: the database is the config file's choice, not setup's: shown here, with how to switch. */
export function DatabaseStep({ status }: StepProps) {
  const ok = stepDone(status, 'database');
  const facts = [
    ['In use', DIALECTS[status.database.dialect] ?? status.database.dialect],
    ['Where', status.database.location ?? '—'],
    ['Check', stepDetail(status, 'database')],
  ];
  return (
    <>
      <dl class="facts">{facts.map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd>{v}</dd></Fragment>)}</dl>
      <p role="status" class={ok ? 'ok' : 'error'}>{ok ? 'The database answers.' : 'The database does not answer: see the check above.'}</p>
      <h3>Switching to PostgreSQL</h3>
      <p>SQLite suits one server. For production or several servers, use PostgreSQL: it is chosen in the config file, not here.</p>
      <ol>
        <li>Set <code>DATABASE_URL</code> to the database's URL (postgres://user@host:5432/name).</li>
        <li>Start the server with <code>--config config/examples/postgresql.yaml</code> (or a <code>db:</code> section with <code>use: postgresql</code>).</li>
        <li>Migrations run at start (or with <code>agentos-comms migrate</code>); then run this wizard again there.</li>
      </ol>
    </>
  );
}
