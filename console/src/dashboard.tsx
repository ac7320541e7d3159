import { useState } from 'preact/hooks';
import { ApiError, api, describeError, inDemoMode, session } from './api.js';
import { StackedBars, hourSlots, seriesBy } from './charts.js';
import { usePoll } from './hooks.js';
import type { Agent, AgentUsage, AuditEntry, AuditReport, Overview, Provider, Revealed, UsageDashboard } from './types.js';

const LIVE_MS = 2000;
const SLOW_MS = 15000;
const HOURS = 24;

const time = (iso: string): string => new Date(iso).toLocaleTimeString();

/** Usage is optional on a server (usage.enabled): its absence is shown, not an error. */
async function usageOrNull<T>(path: string): Promise<T | null> {
  try {
    return await api<T>('GET', path);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'CHANNEL_NOT_CONFIGURED') return null;
    throw err;
  }
}

export function Dashboard() {
  // A customer admin sees its own agents' data; what is the whole server's (the usage dashboard, the audit chain,
  // the outbox, alerts, reveals) is the operator's, and the server would refuse it.
  const operator = !session.isCustomerAdmin();
  const overview = usePoll(() => api<Overview>('GET', `/console/overview?hours=${HOURS}`), LIVE_MS);
  const agents = usePoll(() => api<{ agents: Agent[] }>('GET', '/agents'), LIVE_MS);
  const audit = usePoll(async () => ({
    entries: (await api<{ entries: AuditEntry[] }>('GET', '/audit?limit=10')).entries,
    report: operator ? await api<AuditReport>('GET', '/audit/verify') : null,
  }), SLOW_MS);
  const usage = usePoll(async () => {
    const dashboard = operator ? await usageOrNull<UsageDashboard>('/usage/dashboard') : null;
    const list = agents.data?.agents ?? [];
    const perAgent = dashboard || !operator ? await Promise.all(list.map((a) => usageOrNull<AgentUsage>(`/usage?agentId=${encodeURIComponent(a.agentId)}&days=1`))) : [];
    return { dashboard, perAgent: perAgent.filter((u): u is AgentUsage => u !== null) };
  }, SLOW_MS, [agents.data?.agents.length]);
  const providers = usePoll(() => api<{ providers: Provider[] }>('GET', '/providers'), SLOW_MS);
  const demo = usePoll(inDemoMode, 60_000);

  const names = new Map((agents.data?.agents ?? []).map((a) => [a.agentId, a.name]));
  return (
    <>
      <h1>Dashboard</h1>
      {demo.data ? <p class="banner" role="status">Demo mode: messages and calls go to mock providers; nothing is really sent.</p> : null}
      <p class="updated" aria-live="polite">
        {overview.updatedAt ? `Live, updated ${overview.updatedAt.toLocaleTimeString()}` : 'Loading…'}
        {overview.error ? <span class="error"> {overview.error}</span> : null}
      </p>
      <div class="grid">
        <section aria-labelledby="agents-h" class="wide">
          <h2 id="agents-h">Agents</h2>
          <AgentsTable agents={agents.data?.agents ?? []} />
        </section>
        <section aria-labelledby="activity-h" class="wide">
          <h2 id="activity-h">Activity, last {HOURS} hours</h2>
          {overview.data ? <Activity overview={overview.data} /> : null}
        </section>
        <section aria-labelledby="messages-h" class="wide">
          <h2 id="messages-h">Latest messages</h2>
          <RecentMessages overview={overview.data} names={names} reveal={operator} />
        </section>
        <section aria-labelledby="calls-h">
          <h2 id="calls-h">Live calls</h2>
          <LiveCalls overview={overview.data} names={names} reveal={operator} />
        </section>
        {operator ? <section aria-labelledby="outbox-h">
          <h2 id="outbox-h">Callback outbox</h2>
          {overview.data?.outbox ? (
            <dl class="facts">
              <dt>Pending</dt><dd data-testid="outbox-pending">{overview.data.outbox.pending}</dd>
              <dt>Oldest pending</dt><dd>{overview.data.outbox.oldestCreatedAt ? time(overview.data.outbox.oldestCreatedAt) : '—'}</dd>
              <dt>Given up (dead)</dt><dd>{overview.data.outbox.dead}</dd>
            </dl>
          ) : null}
        </section> : null}
        <section aria-labelledby="health-h">
          <h2 id="health-h">Channel health</h2>
          <Health agents={agents.data?.agents ?? []} providers={providers.data?.providers ?? []} />
        </section>
        <section aria-labelledby="spend-h">
          <h2 id="spend-h">Spend against caps</h2>
          {usage.error ? <p class="error">{usage.error}</p> : <Spend usage={usage.data} names={names} operator={operator} />}
        </section>
        {operator ? <section aria-labelledby="refusals-h">
          <h2 id="refusals-h">Refusals by reason (this month)</h2>
          <Refusals usage={usage.data?.dashboard ?? null} />
        </section> : null}
        {operator ? <section aria-labelledby="alerts-h">
          <h2 id="alerts-h">Recent alerts</h2>
          {overview.data?.alerts.length ? (
            <ul class="plain">{overview.data.alerts.map((a) => <li key={a.at + a.trigger}><span class={`sev ${a.severity.toLowerCase()}`}>{a.severity}</span> {time(a.at)} {a.summary}</li>)}</ul>
          ) : <p>No alerts raised since this server started.</p>}
        </section> : null}
        <section aria-labelledby="audit-h" class="wide">
          <h2 id="audit-h">Audit trail</h2>
          <Audit data={audit.data} error={audit.error} />
        </section>
      </div>
    </>
  );
}

function AgentsTable({ agents }: { agents: Agent[] }) {
  if (agents.length === 0) return <p>No agents yet. Create one under Agents.</p>;
  return (
    <table>
      <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Channels</th></tr></thead>
      <tbody>
        {agents.map((a) => (
          <tr key={a.agentId}>
            <td>{a.name}</td>
            <td><span class={`status ${a.status}`}>{a.status}</span></td>
            <td>{a.channels.map((c) => `${c.channel} ${c.address}`).join(' · ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Activity({ overview }: { overview: Overview }) {
  const slots = hourSlots(new Date(overview.until), HOURS);
  const messages = overview.activity.filter((r) => r.kind === 'message');
  const calls = overview.activity.filter((r) => r.kind === 'call');
  const byStatus = new Map<string, number>();
  for (const r of messages) byStatus.set(`${r.channel} ${r.status}`, (byStatus.get(`${r.channel} ${r.status}`) ?? 0) + r.count);
  return (
    <>
      <div class="charts">
        <StackedBars label="Messages per hour by channel" slots={slots} series={seriesBy(messages, slots, (r) => r.channel)} />
        <StackedBars label="Calls per hour by status" slots={slots} series={seriesBy(calls, slots, (r) => r.status)} />
      </div>
      <p class="hint">Messages by channel and status: {[...byStatus].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}</p>
    </>
  );
}

/** One item's masked contact, and its full contact and body once the admin asks (an audited call). */
function Reveal({ kind, id, masked, allowed }: { kind: 'message' | 'call'; id: string; masked: string; allowed: boolean }) {
  const [shown, setShown] = useState<Revealed | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (shown) {
    return (
      <span class="revealed">
        {shown.contact}
        {shown.subject ? <><br /><strong>Subject:</strong> {shown.subject}</> : null}
        {shown.body !== null ? <><br /><q>{shown.body}</q></> : null}
      </span>
    );
  }
  if (!allowed) return <span>{masked}</span>;
  const reveal = () => api<Revealed>('POST', '/console/reveal', { kind, id }).then(setShown, (err: unknown) => setError(describeError(err)));
  return (
    <span>
      {masked}{' '}
      <button type="button" class="small" onClick={reveal} aria-label={`Reveal ${kind} ${id} (recorded in the audit trail)`}>Reveal</button>
      {error ? <span class="error"> {error}</span> : null}
    </span>
  );
}

function RecentMessages({ overview, names, reveal }: { overview: Overview | null; names: Map<string, string>; reveal: boolean }) {
  if (!overview) return null;
  if (overview.recentMessages.length === 0) return <p>No messages in the last {HOURS} hours.</p>;
  return (
    <table data-testid="recent-messages">
      <thead><tr><th scope="col">Time</th><th scope="col">Agent</th><th scope="col">Channel</th><th scope="col">Direction</th><th scope="col">Status</th><th scope="col">Contact</th></tr></thead>
      <tbody>
        {overview.recentMessages.map((m) => (
          <tr key={m.id} data-message-id={m.id}>
            <td>{time(m.createdAt)}</td>
            <td>{names.get(m.agentId) ?? m.agentId}</td>
            <td>{m.channel}</td>
            <td>{m.direction}</td>
            <td>{m.status}{m.errorCode ? ` (${m.errorCode})` : ''}</td>
            <td><Reveal kind="message" id={m.id} masked={m.contact} allowed={reveal} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LiveCalls({ overview, names, reveal }: { overview: Overview | null; names: Map<string, string>; reveal: boolean }) {
  if (!overview) return null;
  if (overview.liveCalls.length === 0) return <p>No call in progress.</p>;
  return (
    <ul class="plain">
      {overview.liveCalls.map((c) => (
        <li key={c.id}>{names.get(c.agentId) ?? c.agentId}, {c.direction} {c.status} since {time(c.startedAt)}: <Reveal kind="call" id={c.id} masked={c.contact} allowed={reveal} /></li>
      ))}
    </ul>
  );
}

function Health({ agents, providers }: { agents: Agent[]; providers: Provider[] }) {
  const channels = new Map<string, number>();
  for (const a of agents) for (const c of a.channels) channels.set(c.channel, (channels.get(c.channel) ?? 0) + 1);
  return (
    <>
      <p>{[...channels].map(([c, n]) => `${c}: ${n} agent${n === 1 ? '' : 's'}`).join(', ') || 'No channel addresses yet.'}</p>
      {providers.length ? (
        <ul class="plain">{providers.map((p) => <li key={p.name}>{p.name} ({p.provider}, {p.port}): {p.verified}, checked {time(p.verifiedAt)}</li>)}</ul>
      ) : <p class="hint">No stored provider credentials (providers come from the config file).</p>}
    </>
  );
}

function Spend({ usage, names, operator }: { usage: { dashboard: UsageDashboard | null; perAgent: AgentUsage[] } | null; names: Map<string, string>; operator: boolean }) {
  if (!usage) return null;
  if (operator && !usage.dashboard) return <p>Usage tracking is off on this server (usage.enabled).</p>;
  const caps = usage.perAgent.flatMap((u) => u.standings.filter((s) => s.limit.startsWith('spend:')).map((s) => ({ ...s, agentId: u.agentId, currency: u.currency })));
  return (
    <>
      {usage.dashboard ? <p>This month: {usage.dashboard.totals.price} {usage.dashboard.currency} over {usage.dashboard.totals.count} actions ({usage.dashboard.byTier.map((t) => `${t.tier} ${t.price}`).join(', ') || 'no tier used'}).</p> : null}
      {caps.length ? (
        <ul class="plain">
          {caps.map((s) => (
            <li key={s.agentId + s.limit}>
              <label for={`cap-${s.agentId}-${s.limit}`}>{names.get(s.agentId) ?? s.agentId}, {s.limit.replace('spend:', 'per ')}: {s.used} of {s.cap} {s.currency}</label>
              <meter id={`cap-${s.agentId}-${s.limit}`} min={0} max={Number(s.cap)} value={Number(s.used)} high={Number(s.cap) * 0.8} optimum={0} />
            </li>
          ))}
        </ul>
      ) : <p class="hint">No spend caps set.</p>}
    </>
  );
}

function Refusals({ usage }: { usage: UsageDashboard | null }) {
  if (!usage) return <p class="hint">Counted with usage tracking on.</p>;
  if (usage.refusals.length === 0) return <p>No refusals this month.</p>;
  const max = Math.max(...usage.refusals.map((r) => r.count));
  return (
    <ul class="plain">
      {usage.refusals.map((r) => (
        <li key={r.code}>
          <label for={`refusal-${r.code}`}>{r.code}: {r.count}</label>
          <meter id={`refusal-${r.code}`} min={0} max={max} value={r.count} />
        </li>
      ))}
    </ul>
  );
}

function Audit({ data, error }: { data: { entries: AuditEntry[]; report: AuditReport | null } | null; error: string | null }) {
  if (error) return <p class="error">{error}</p>;
  if (!data) return null;
  const { report } = data;
  return (
    <>
      {report ? (
        <p data-testid="audit-verify" class={report.valid ? 'ok' : 'error'}>
          {report.valid ? `Chain verified: ${report.checked} entries intact.` : `Chain broken at entry ${report.firstBreak?.seq} (${report.firstBreak?.problem}).`}
        </p>
      ) : <p class="hint">Your customer's entries; the operator verifies the whole chain.</p>}
      <table>
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Agent</th><th scope="col">Outcome</th></tr></thead>
        <tbody>
          {data.entries.map((e) => (
            <tr key={e.seq}><td>{e.seq}</td><td>{time(e.at)}</td><td>{e.actorKind}</td><td>{e.action}</td><td>{e.agentId ?? '—'}</td><td>{e.outcome}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
