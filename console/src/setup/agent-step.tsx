import { api } from '../api.js';
import { ShownOnce } from '../agents.js';
import { Field, Problem } from './form-parts.js';
import { filledFields } from './form-parts.js';
import type { StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

interface Created { agentId: string; token: string; callbackSecret: string }

/** Step 4: the first agent; its token is shown once, here. */
export function AgentStep({ status, refresh }: StepProps) {
  const create = useAction<Created>();
  const submit = (e: Event) => {
    e.preventDefault();
    const input = filledFields(e.currentTarget as HTMLFormElement);
    void create.run(async () => {
      const created = await api<Created>('POST', '/setup/agent', input);
      await refresh();
      return created;
    });
  };

  if (create.result) {
    return <ShownOnce title={`Agent ${create.result.agentId} created`} secrets={{ 'Agent token': create.result.token, 'Callback secret': create.result.callbackSecret }} onClose={create.reset} />;
  }
  if (status.firstAgentId) {
    return <p role="status">Setup created agent <code>{status.firstAgentId}</code>. Its token was shown then; a new one: rotate it on the Agents page.</p>;
  }
  return (
    <>
      <p>The agent your AI client acts as. Its number is chosen in the next step.</p>
      <form class="form" onSubmit={submit}>
        <Field id="agent-name" name="name" label="Name" required defaultValue="My agent" error={create.error} errorId="agent-problem" />
        <Field id="agent-email" name="email" label="Email address (optional)" type="email" error={create.error} errorId="agent-problem" />
        <Field id="agent-callbackUrl" name="callbackUrl" label="Callback URL (optional)" type="url" hint="Where replies are pushed to your agent's app."
          error={create.error} errorId="agent-problem" />
        <button type="submit" disabled={create.busy}>Create the agent</button>
      </form>
      <Problem id="agent-problem" error={create.error} />
    </>
  );
}
