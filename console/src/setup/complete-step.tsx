import { api } from '../api.js';
import { Done, Problem } from './form-parts.js';
import type { SetupStatus, StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

/** Step 8: mark setup done. From then on only the admin token may use the setup routes (and this page). */
export function CompleteStep({ status, refresh }: StepProps) {
  const complete = useAction<SetupStatus>();
  const open = status.steps.filter((s) => !s.done);
  const submit = () => void complete.run(async () => {
    const done = await api<SetupStatus>('POST', '/setup/complete', {});
    await refresh();
    return done;
  });

  return (
    <>
      {open.length ? (
        <>
          <p>Not done yet (setup can be marked done anyway once the first agent exists):</p>
          <ul>{open.map((s) => <li key={s.step}>{s.step}: {s.detail}</li>)}</ul>
        </>
      ) : <p>Every step is done.</p>}
      <p>The choices are in <code>{status.overlay}</code>, read when the server starts: <strong>restart the server</strong> for the
        providers, public URL and defaults to take effect.</p>
      {status.done ? <Done>Setup was marked done at {status.completedAt}. Only the admin token may change it now.</Done>
        : <button type="button" class="primary" onClick={submit} disabled={complete.busy || !status.firstAgentId}>Mark setup done</button>}
      <Problem id="complete-problem" error={complete.error} />
      {complete.result ? <p><a href="/admin/dashboard">Go to the dashboard</a></p> : null}
    </>
  );
}
