import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError } from './api.js';
import { useAction } from './use-action.js';
import type { Agent, ChannelStatus, Deprovisioned, Provisioned } from './types.js';
import './provisioning.css';

/**
 * A fresh idempotency key. getRandomValues, not randomUUID: the console may be served over plain HTTP on a
 * LAN address, where randomUUID does not exist.
 */
function newKey(): string {
  return `console-${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const agentPath = (agent: Agent, action: string) => `/agents/${encodeURIComponent(agent.agentId)}/${action}`;

/**
 * comms_provision_channels from the console. A retry of the same request after a failure reuses its
 * idempotency key, so the server resumes the run (and never buys a second number); another request gets a new key.
 */
export function ProvisionAgent({ agent, onChanged, onDone }: { agent: Agent; onChanged: () => void; onDone: () => void }) {
  const attempt = useRef<{ key: string; body: string } | null>(null);
  const provision = useAction<Provisioned>();

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const wish: Record<string, unknown> = { sms: form.has('sms'), voice: form.has('voice'), whatsapp: form.has('whatsapp') };
    for (const name of ['email', 'country', 'areaCode']) if (text(name)) wish[name] = text(name);
    const body = JSON.stringify(wish);
    if (attempt.current?.body !== body) attempt.current = { key: newKey(), body };
    const key = attempt.current.key;
    await provision.run(async () => {
      const result = await api<Provisioned>('POST', agentPath(agent, 'provision'), { ...wish, idempotencyKey: key });
      attempt.current = null;
      onChanged();
      return result;
    });
  };

  return (
    <section aria-labelledby="provision-h" class="edit">
      <h2 id="provision-h">Provision channels for {agent.name}</h2>
      <p class="hint">The phone number is a spare of the pool, or one bought at the provider when the pool is empty: buying costs money.</p>
      <form onSubmit={submit} class="form">
        <label for="prov-sms">Number takes SMS</label><input id="prov-sms" name="sms" type="checkbox" defaultChecked />
        <label for="prov-voice">Number takes calls</label><input id="prov-voice" name="voice" type="checkbox" defaultChecked />
        <label for="prov-whatsapp">WhatsApp sender from the pool</label><input id="prov-whatsapp" name="whatsapp" type="checkbox" />
        <label for="prov-email">Email address (optional)</label><input id="prov-email" name="email" type="email" />
        <label for="prov-country">Country of the number (optional, e.g. US)</label><input id="prov-country" name="country" pattern="[A-Z]{2}" maxLength={2} />
        <label for="prov-areaCode">Area code (optional: searches and buys)</label><input id="prov-areaCode" name="areaCode" pattern="[0-9]{2,5}" inputMode="numeric" />
        <button type="submit" disabled={provision.busy}>{provision.busy ? 'Provisioning…' : 'Provision channels'}</button>
      </form>
      {provision.error ? <p role="alert" class="error">{describeError(provision.error)}</p> : null}
      {provision.result ? <ProvisionResult result={provision.result} /> : null}
      <button type="button" onClick={onDone}>Close</button>
    </section>
  );
}

const SOURCES = { existing: 'already the agent\'s', pool: 'from the spare pool', bought: 'bought at the provider' } as const;

function ProvisionResult({ result }: { result: Provisioned }) {
  return (
    <div role="status" class="provisioned">
      <p class="ok">Provisioned: {result.steps.join(', ') || 'nothing to do'}.</p>
      <ul class="plain">
        {result.number ? <li>Number <strong>{result.number.phoneNumber}</strong> ({SOURCES[result.number.source]})</li> : null}
        {result.whatsapp ? <li>WhatsApp sender {result.whatsapp.address}</li> : null}
        {result.email ? <li>Email {result.email.address}: domain {result.email.status}</li> : null}
      </ul>
      {result.email?.records.length ? (
        <table>
          <caption>DNS records to publish for the email domain</caption>
          <thead><tr><th scope="col">Record</th><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
          <tbody>{result.email.records.map((r) => <tr key={r.record + r.name}><td>{r.record}</td><td>{r.type}</td><td>{r.name}</td><td><code>{r.value}</code></td></tr>)}</tbody>
        </table>
      ) : null}
    </div>
  );
}

/**
 * comms_deprovision_channels needs the person's approval naming the exact numbers it releases: the dialog reads
 * them from the provider's view (comms_get_channel_status), shows them, and sends them as both `numbers` and `confirm`.
 */
export function DeprovisionDialog({ agent, onChanged, onClose }: { agent: Agent; onChanged: () => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const key = useRef(newKey());
  const [status, setStatus] = useState<ChannelStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const deprovision = useAction<Deprovisioned>();
  const done = deprovision.result;

  useEffect(() => {
    dialog.current?.showModal();
    api<ChannelStatus>('GET', agentPath(agent, 'channel-status')).then(setStatus, (err: unknown) => setLoadError(describeError(err)));
  }, []);

  const numbers = status?.numbers.map((n) => n.phoneNumber) ?? [];
  const confirm = () => deprovision.run(async () => {
    const result = await api<Deprovisioned>('POST', agentPath(agent, 'deprovision'), { idempotencyKey: key.current, numbers, confirm: numbers });
    onChanged();
    return result;
  });
  const error = deprovision.error ? describeError(deprovision.error) : loadError;

  return (
    <dialog ref={dialog} aria-labelledby="deprovision-h" class="confirm-dialog" onClose={onClose}>
      <h2 id="deprovision-h">Deprovision {agent.name}?</h2>
      {done ? (
        <>
          <ul class="plain" role="status">
            {done.numbers.map((n) => <li key={n.phoneNumber}>{n.phoneNumber}: {n.outcome === 'pool' ? 'back in the spare pool' : n.outcome === 'released' ? 'released at the provider' : 'already gone at the provider'}</li>)}
            <li>{agent.name} is disabled and its token revoked.</li>
          </ul>
          <button type="button" onClick={() => dialog.current?.close()}>Close</button>
        </>
      ) : (
        <>
          <p>This takes {agent.name} off the air:</p>
          <ul>
            <li>
              {status ? (numbers.length ? 'These numbers go back to the spare pool, or are released at the provider for good: ' : 'It holds no provisioned number.') : 'Reading its numbers at the provider…'}
              {numbers.length ? <strong data-testid="deprovision-numbers">{numbers.join(', ')}</strong> : null}
            </li>
            {status?.whatsapp.length ? <li>Its WhatsApp sender {status.whatsapp.map((w) => w.address).join(', ')} returns to the pool.</li> : null}
            <li>Its token is revoked and the agent disabled; its own limits are removed.</li>
          </ul>
          {error ? <p role="alert" class="error">{error}</p> : null}
          <button type="button" class="danger" disabled={!status || deprovision.busy} onClick={() => void confirm()}>
            {numbers.length ? `Release ${numbers.join(', ')} and disable ${agent.name}` : `Disable ${agent.name}`}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
        </>
      )}
    </dialog>
  );
}
