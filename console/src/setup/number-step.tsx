import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { Done, Field, Problem } from './form-parts.js';
import { smsIsDemo, stepDetail, type StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

type Source = 'demo' | 'existing' | 'buy';
interface Chosen { phone: string; source: Source; webhooksToSet: Array<{ what: string; url: string }> }

const SOURCES: Array<{ source: Source; label: string; hint: string }> = [
  { source: 'demo', label: 'A demo number', hint: 'A reserved +1 555 01xx number of the demo adapter: nothing is delivered.' },
  { source: 'existing', label: 'A number my provider account owns', hint: 'Then set its webhooks in the provider\'s console as listed.' },
  { source: 'buy', label: 'Search and buy a number', hint: 'The server buys it from your provider and points its webhooks here.' },
];

/** A refused purchase (e.g. the demo adapter cannot buy numbers): said plainly, with the ways that work. */
function BuyRefused({ error }: { error: ApiError }) {
  return (
    <div role="alert" class="problem">
      <strong>{error.code}</strong>: {error.message} {error.nextStep}
      <p>Choose a demo number or one your account owns instead.</p>
    </div>
  );
}

/** Step 5: the first agent's SMS and voice number. */
export function NumberStep({ status, refresh }: StepProps) {
  const [source, setSource] = useState<Source>(smsIsDemo(status) ? 'demo' : 'existing');
  const choose = useAction<Chosen>();
  if (!status.firstAgentId) return <p>Create the first agent first (step 4).</p>;

  const submit = (e: Event) => {
    e.preventDefault();
    const phone = String(new FormData(e.currentTarget as HTMLFormElement).get('phone') ?? '').trim();
    void choose.run(async () => {
      const chosen = await api<Chosen>('POST', '/setup/number', { source, ...(source === 'existing' ? { phone } : {}) });
      await refresh();
      return chosen;
    });
  };
  const refused = source === 'buy' && choose.error instanceof ApiError ? choose.error : null;

  return (
    <>
      <p class="hint">Now: {stepDetail(status, 'number')}</p>
      <form class="form" onSubmit={submit}>
        <fieldset class="span">
          <legend>Where the number comes from</legend>
          {SOURCES.map((s) => (
            <div key={s.source} class="choice">
              <input type="radio" id={`source-${s.source}`} name="source" value={s.source} checked={source === s.source}
                aria-describedby={`source-${s.source}-hint`} onChange={() => { setSource(s.source); choose.reset(); }} />
              <label for={`source-${s.source}`}>{s.label}</label>
              <small id={`source-${s.source}-hint`} class="hint">{s.hint}</small>
            </div>
          ))}
        </fieldset>
        {source === 'existing' ? <Field id="number-phone" name="phone" label="The number (E.164)" type="tel" required placeholder="+15550100123"
          error={choose.error} errorId="number-problem" /> : null}
        <button type="submit" disabled={choose.busy}>{source === 'buy' ? 'Search and buy' : 'Give the agent this number'}</button>
      </form>
      {refused ? <BuyRefused error={refused} /> : <Problem id="number-problem" error={choose.error} />}
      <Done>{choose.result ? `The agent sends and receives SMS and calls on ${choose.result.phone}.` : null}</Done>
      {choose.result ? <Webhooks chosen={choose.result} /> : null}
    </>
  );
}

/** What to set in the provider's console for a number it owns (nothing for demo numbers). */
function Webhooks({ chosen }: { chosen: Chosen }) {
  return (
    <>
      {chosen.webhooksToSet.length ? (
        <table>
          <caption>Set these in your provider's console for {chosen.phone}</caption>
          <thead><tr><th scope="col">Event</th><th scope="col">Method</th><th scope="col">URL</th></tr></thead>
          <tbody>{chosen.webhooksToSet.map((w) => <tr key={w.url}><td>{w.what}</td><td>POST</td><td><code>{w.url}</code></td></tr>)}</tbody>
        </table>
      ) : null}
    </>
  );
}
