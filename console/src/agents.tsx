import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, describeError, session } from './api.js';
import { usePoll } from './hooks.js';
import { DeprovisionDialog, ProvisionAgent } from './provisioning.js';
import type { Agent, AgentUsage } from './types.js';

const CHANNEL_FIELDS = [
  { name: 'phone', label: 'Phone number (E.164)', channel: 'sms' },
  { name: 'email', label: 'Email address', channel: 'email' },
  { name: 'whatsapp', label: 'WhatsApp number', channel: 'whatsapp' },
] as const;

type Fields = Record<string, string>;
const formFields = (form: HTMLFormElement): Fields => Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));

/** A secret the server shows once (a new token): displayed until dismissed, never stored. */
export function ShownOnce({ title, secrets, onClose }: { title: string; secrets: Record<string, string>; onClose: () => void }) {
  return (
    <div class="once" role="alert">
      <h3>{title}</h3>
      <p>Copy it now: it cannot be shown again.</p>
      <dl class="facts">{Object.entries(secrets).map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd><code data-testid={`secret-${k}`}>{v}</code></dd></Fragment>)}</dl>
      <button type="button" onClick={onClose}>Done</button>
    </div>
  );
}

export function Agents() {
  const agents = usePoll(() => api<{ agents: Agent[] }>('GET', '/agents'), 10_000);
  const [secret, setSecret] = useState<{ title: string; secrets: Record<string, string> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [provisioning, setProvisioning] = useState<string | null>(null);
  const [deprovisioning, setDeprovisioning] = useState<string | null>(null);
  // Provisioning is the operator's (the tools are operator-only): a customer admin is not offered it.
  const operator = !session.isCustomerAdmin();
  const agentById = (id: string) => agents.data?.agents.find((a) => a.agentId === id);

  const act = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
      agents.refresh();
    } catch (err) {
      setError(describeError(err));
    }
  };

  const create = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fields = formFields(form);
    const input = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
    void act(async () => {
      const created = await api<{ agentId: string; token: string; callbackSecret: string }>('POST', '/agents', input);
      form.reset();
      setSecret({ title: `Agent ${fields.name} created`, secrets: { 'Agent token': created.token, 'Callback secret': created.callbackSecret } });
    });
  };

  return (
    <>
      <h1>Agents</h1>
      {error ? <p role="alert" class="error">{error}</p> : null}
      {secret ? <ShownOnce {...secret} onClose={() => setSecret(null)} /> : null}
      <section aria-labelledby="list-h">
        <h2 id="list-h">All agents</h2>
        {agents.data?.agents.length ? (
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Channels</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {agents.data.agents.map((a) => (
                <tr key={a.agentId} data-agent={a.name}>
                  <td>{a.name}<br /><small>{a.agentId}</small></td>
                  <td><span class={`status ${a.status}`}>{a.status}</span></td>
                  <td>{a.channels.map((c) => `${c.channel} ${c.address}`).join(' · ') || '—'}</td>
                  <td class="actions">
                    <button type="button" onClick={() => setEditing(editing === a.agentId ? null : a.agentId)} aria-expanded={editing === a.agentId}>Edit {a.name}</button>
                    <ConfirmButton label={`Rotate token of ${a.name}`} onConfirm={() => act(async () => {
                      const rotated = await api<{ token: string }>('POST', `/agents/${encodeURIComponent(a.agentId)}/token`, {});
                      setSecret({ title: `New token for ${a.name}`, secrets: { 'Agent token': rotated.token } });
                    })} />
                    {a.status === 'active'
                      ? <ConfirmButton label={`Disable ${a.name}`} onConfirm={() => act(() => api('PATCH', `/agents/${encodeURIComponent(a.agentId)}`, { status: 'disabled' }))} />
                      : <button type="button" onClick={() => act(() => api('PATCH', `/agents/${encodeURIComponent(a.agentId)}`, { status: 'active' }))}>Enable {a.name}</button>}
                    {operator ? (
                      <>
                        <button type="button" onClick={() => setProvisioning(provisioning === a.agentId ? null : a.agentId)} aria-expanded={provisioning === a.agentId}>Provision {a.name}</button>
                        <button type="button" class="danger" onClick={() => setDeprovisioning(a.agentId)}>Deprovision {a.name}</button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : <p>{agents.error ?? (agents.data ? 'No agents yet.' : 'Loading…')}</p>}
      </section>
      {editing && agents.data ? (
        <EditAgent key={editing} agent={agents.data.agents.find((a) => a.agentId === editing) as Agent} act={act} onDone={() => setEditing(null)} />
      ) : null}
      {provisioning && agentById(provisioning) ? (
        <ProvisionAgent key={provisioning} agent={agentById(provisioning) as Agent} onChanged={agents.refresh} onDone={() => setProvisioning(null)} />
      ) : null}
      {deprovisioning && agentById(deprovisioning) ? (
        <DeprovisionDialog key={deprovisioning} agent={agentById(deprovisioning) as Agent} onChanged={agents.refresh} onClose={() => setDeprovisioning(null)} />
      ) : null}
      <section aria-labelledby="create-h">
        <h2 id="create-h">Create an agent</h2>
        <form onSubmit={create} class="form">
          <label for="new-name">Name</label>
          <input id="new-name" name="name" required maxLength={200} />
          {CHANNEL_FIELDS.map((f) => (
            <Fragment key={f.name}><label for={`new-${f.name}`}>{f.label} (optional)</label><input id={`new-${f.name}`} name={f.name} /></Fragment>
          ))}
          <label for="new-callbackUrl">Callback URL (optional)</label>
          <input id="new-callbackUrl" name="callbackUrl" type="url" />
          <button type="submit">Create agent</button>
        </form>
      </section>
    </>
  );
}

/** A button that acts only on a second, explicit click (rotate and disable cannot be undone by the console). */
function ConfirmButton({ label, onConfirm }: { label: string; onConfirm: () => Promise<void> }) {
  const [armed, setArmed] = useState(false);
  return armed ? (
    <span class="confirm">
      <button type="button" class="danger" onClick={() => { setArmed(false); void onConfirm(); }}>Confirm: {label}</button>
      <button type="button" onClick={() => setArmed(false)}>Cancel</button>
    </span>
  ) : <button type="button" onClick={() => setArmed(true)}>{label}</button>;
}

/**
 * Name and channel addresses (empty removes one), then the limits: tier and spend caps. The inputs take their
 * values as defaults only: the agent list redraws on every poll, and a controlled `value` would put back what
 * the operator was typing over.
 */
function EditAgent({ agent, act, onDone }: { agent: Agent; act: (work: () => Promise<void>) => Promise<void>; onDone: () => void }) {
  const limits = usePoll(() => api<AgentUsage>('GET', `/usage?agentId=${encodeURIComponent(agent.agentId)}&days=1`).catch(() => null), 60_000);
  const address = (channel: string) => agent.channels.find((c) => c.channel === channel)?.address ?? '';
  const cap = (limit: string) => limits.data?.standings.find((s) => s.limit === limit)?.cap ?? '';

  const saveChannels = (e: Event) => {
    e.preventDefault();
    const fields = formFields(e.currentTarget as HTMLFormElement);
    const patch: Record<string, string | null> = { name: fields.name ?? agent.name };
    for (const f of CHANNEL_FIELDS) if ((fields[f.name] ?? '') !== address(f.channel)) patch[f.name] = fields[f.name] || null;
    void act(() => api('PATCH', `/agents/${encodeURIComponent(agent.agentId)}`, patch)).then(onDone);
  };
  const saveLimits = (e: Event) => {
    e.preventDefault();
    const fields = formFields(e.currentTarget as HTMLFormElement);
    const money = (v: string | undefined) => (v ? v : null);
    const body = { tier: fields.tier || null, overrides: { spend: { perDay: money(fields.perDay), perMonth: money(fields.perMonth) } } };
    void act(() => api('PUT', `/agents/${encodeURIComponent(agent.agentId)}/limits`, body)).then(onDone);
  };

  return (
    <section aria-labelledby="edit-h" class="edit">
      <h2 id="edit-h">Edit {agent.name}</h2>
      <form onSubmit={saveChannels} class="form">
        <label for="edit-name">Name</label>
        <input id="edit-name" name="name" required defaultValue={agent.name} />
        {CHANNEL_FIELDS.map((f) => (
          <Fragment key={f.name}><label for={`edit-${f.name}`}>{f.label} (empty: none)</label><input id={`edit-${f.name}`} name={f.name} defaultValue={address(f.channel)} /></Fragment>
        ))}
        <button type="submit">Save channels</button>
      </form>
      {limits.data ? (
        <form onSubmit={saveLimits} class="form">
          <label for="edit-tier">Tier (empty: the default tier)</label>
          <input id="edit-tier" name="tier" defaultValue={limits.data.limits.tier} />
          <label for="edit-perDay">Spend cap per day (empty: the tier's)</label>
          <input id="edit-perDay" name="perDay" inputMode="decimal" defaultValue={cap('spend:day')} />
          <label for="edit-perMonth">Spend cap per month (empty: the tier's)</label>
          <input id="edit-perMonth" name="perMonth" inputMode="decimal" defaultValue={cap('spend:month')} />
          <button type="submit">Save limits</button>
        </form>
      ) : <p class="hint">Limits need usage tracking (usage.enabled).</p>}
      <button type="button" onClick={onDone}>Close</button>
    </section>
  );
}
