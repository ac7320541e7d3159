import { useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { Field, Problem } from './form-parts.js';
import { smsIsDemo, type SetupStatus, type StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

/** Where the demo test message goes: a reserved number nobody owns (the terminal wizard's default too). */
const DEMO_RECIPIENT = '+15550100199';
/** Statuses after which a message changes no more. */
const FINAL = new Set(['delivered', 'read', 'undelivered', 'failed', 'canceled']);
const POLL_MS = 1000;

interface Reply { id: string; status: string; createdAt: string }

/** Step 7: the first agent sends a message; its status is followed until the provider reports it, and in demo mode the contact replies. */
export function TestMessageStep({ status, refresh }: StepProps) {
  const demo = smsIsDemo(status);
  const send = useAction<{ messageId: string; to: string }>();
  const reply = useAction<Reply>();
  const sent = send.result;
  const tracked = sent && status.testMessage?.messageId === sent.messageId ? status.testMessage : null;
  const settled = tracked !== null && FINAL.has(tracked.status);

  // Follows the message until its status is final: the status comes from GET /setup, as the terminal wizard reads it.
  useEffect(() => {
    if (!sent || settled) return;
    const timer = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
    return () => clearInterval(timer);
  }, [sent?.messageId, settled]);

  // In demo mode the demo contact answers once the message arrived, through the demo tool (POST /demo/inbound).
  useEffect(() => {
    if (!demo || !sent || !tracked?.arrived || reply.result || reply.busy || reply.error || !status.firstAgentId) return;
    void reply.run(() => api<Reply>('POST', '/demo/inbound', { agentId: status.firstAgentId, channel: 'sms', from: sent.to, body: 'Got it, thanks! (demo reply)' }));
  }, [tracked?.arrived]);

  if (!status.firstAgentId) return <p>Create the first agent and give it a number first (steps 4 and 5).</p>;
  const submit = (e: Event) => {
    e.preventDefault();
    const to = String(new FormData(e.currentTarget as HTMLFormElement).get('to') ?? '').trim();
    reply.reset();
    void send.run(async () => {
      const message = await api<{ messageId: string }>('POST', '/setup/test-message', { channel: 'sms', to });
      await refresh();
      return { messageId: message.messageId, to };
    });
  };

  return (
    <>
      <p>The first agent sends one SMS through the whole send path (policy, limits, provider).
        {demo ? ' In demo mode it goes to a reserved demo number, and the demo contact replies.' : ' Send it to your own phone.'}</p>
      <form class="form" onSubmit={submit}>
        <Field id="test-to" name="to" label="Send the test SMS to" type="tel" required defaultValue={demo ? DEMO_RECIPIENT : ''}
          hint="A phone number in E.164 form" error={send.error} errorId="test-problem" />
        <button type="submit" disabled={send.busy}>Send the test message</button>
      </form>
      <Problem id="test-problem" error={send.error} />
      <div aria-live="polite" data-testid="test-message-progress">
        {sent ? <Progress messageId={sent.messageId} tracked={tracked} demo={demo} reply={reply.result} publicBaseUrl={status.publicBaseUrl} />
          : status.testMessage ? <p class="hint">The last test message was {status.testMessage.status}{status.testMessage.arrived ? ': it arrived' : ''}.</p> : null}
      </div>
      <Problem id="reply-problem" error={reply.error} />
    </>
  );
}

function Progress({ messageId, tracked, demo, reply, publicBaseUrl }: { messageId: string; tracked: SetupStatus['testMessage']; demo: boolean; reply: Reply | null; publicBaseUrl: string }) {
  const state = tracked?.status ?? 'queued';
  return (
    <>
      <dl class="facts">
        <dt>Message</dt><dd><code>{messageId}</code></dd>
        <dt>Status</dt><dd data-testid="test-message-status">{state}</dd>
      </dl>
      {tracked?.arrived ? <p class="ok">Arrived: the provider reports it {state}.</p>
        : FINAL.has(state) ? <p class="error">Not delivered ({state}): see the message's error on the dashboard.</p>
        : <p>Waiting for the provider's delivery report (it reports to {publicBaseUrl}/webhooks/sms/status)…</p>}
      {demo && reply ? <p class="ok">The demo contact replied: the agent received message <code>{reply.id}</code> ({reply.status}).</p> : null}
    </>
  );
}
