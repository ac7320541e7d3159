import type { Alert } from '../../ports/alerts.js';
import { FINAL_CALL_STATUSES } from '../../ports/calls.js';
import { CHANNELS, MESSAGE_STATUSES, type CallLogRecord, type MessageRecord } from '../../ports/records.js';
import { requireAdmin } from '../auth/authenticate.js';
import { customerScope } from '../auth/tenancy.js';
import { defineUseCase } from '../use-case.js';
import { maskAddress } from './mask.js';

const HOUR_MS = 3_600_000;
/** Rows read per agent and kind: the overview is a glance at recent traffic, not a report. */
const PER_AGENT_LIMIT = 500;
const RECENT_MESSAGES = 20;
const RECENT_ALERTS = 20;

interface Bucket { at: string; count: number }
interface OverviewOutput {
  since: string;
  until: string;
  /** Messages and calls per hour, by channel and status (calls: channel `voice`). */
  activity: Array<Bucket & { kind: 'message' | 'call'; channel: string; status: string }>;
  recentMessages: Array<{ id: string; agentId: string; channel: string; direction: string; status: string; contact: string; errorCode: string | null; createdAt: string }>;
  liveCalls: Array<{ id: string; agentId: string; direction: string; status: string; contact: string; startedAt: string }>;
  /** Null for a customer admin: the outbox is the whole server's, not the customer's. */
  outbox: { pending: number; oldestCreatedAt: string | null; dead: number } | null;
  alerts: Array<{ trigger: string; severity: string; summary: string; at: string }>;
}

const contactOf = (r: { direction: string; from: string; to: string }): string => maskAddress(r.direction === 'outbound' ? r.to : r.from);
const hourOf = (at: Date): string => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS).toISOString();

/** Counts per (hour, kind, channel, status). */
function buckets(messages: readonly MessageRecord[], calls: readonly CallLogRecord[]): OverviewOutput['activity'] {
  const counts = new Map<string, OverviewOutput['activity'][number]>();
  const add = (kind: 'message' | 'call', channel: string, status: string, at: Date) => {
    const key = [hourOf(at), kind, channel, status].join('|');
    const row = counts.get(key) ?? { at: hourOf(at), kind, channel, status, count: 0 };
    row.count += 1;
    counts.set(key, row);
  };
  for (const m of messages) add('message', m.channel, m.status, m.createdAt);
  for (const c of calls) add('call', 'voice', c.status, c.createdAt);
  return [...counts.values()].sort((a, b) => a.at.localeCompare(b.at));
}

const str = { type: 'string' } as const;
const obj = (properties: Record<string, object>) => ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties });

export const getConsoleOverview = defineUseCase<{ hours?: number }, OverviewOutput>({
  name: 'comms_get_console_overview',
  title: 'Operations overview',
  description:
    'Admin only. What the admin console\'s dashboard shows besides usage and audit: messages and calls per hour by channel ' +
    'and status, the latest messages and the calls in progress (contact numbers and addresses masked, no bodies), the ' +
    'callback outbox backlog, and the alerts this server raised lately. Full contacts and bodies: comms_reveal (audited). ' +
    'A customer admin sees its own agents\' traffic only, without the server-wide outbox (null) and alerts (empty).',
  input: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 168, default: 24 } } },
  output: obj({
    since: str,
    until: str,
    activity: { type: 'array', items: obj({ at: str, kind: { type: 'string', enum: ['message', 'call'] }, channel: str, status: str, count: { type: 'integer' } }) },
    recentMessages: {
      type: 'array',
      items: obj({ id: str, agentId: str, channel: { type: 'string', enum: [...CHANNELS] }, direction: str, status: { type: 'string', enum: [...MESSAGE_STATUSES] }, contact: str, errorCode: { type: ['string', 'null'] }, createdAt: str }),
    },
    liveCalls: { type: 'array', items: obj({ id: str, agentId: str, direction: str, status: str, contact: str, startedAt: str }) },
    outbox: { ...obj({ pending: { type: 'integer' }, oldestCreatedAt: { type: ['string', 'null'] }, dead: { type: 'integer' } }), type: ['object', 'null'] },
    alerts: { type: 'array', items: obj({ trigger: str, severity: str, summary: str, at: str }) },
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'audit',
  rest: { method: 'GET', path: '/console/overview' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const { db, clock, alerts } = ctx.ports;
    const until = clock.now();
    const since = new Date(until.getTime() - (input.hours ?? 24) * HOUR_MS);
    const customerId = customerScope(ctx.caller);
    const agents = await db.agents.list({ customerId });
    const perAgent = await Promise.all(agents.map(async (agent) => ({
      messages: await db.messages.list({ agentId: agent.id, since, limit: PER_AGENT_LIMIT }),
      calls: await db.calls.list({ agentId: agent.id, limit: PER_AGENT_LIMIT }),
    })));
    const messages = perAgent.flatMap((a) => a.messages).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const calls = perAgent.flatMap((a) => a.calls);
    // The outbox and the alerts are the whole server's (other customers' agents, the operator's providers).
    const serverWide = customerId === undefined;
    const [backlog, dead] = serverWide ? await Promise.all([db.callbacks.backlog(), db.callbacks.countDead()]) : [null, 0];
    const recentAlerts: Alert[] = serverWide ? (alerts.recent?.(RECENT_ALERTS) ?? []) : [];
    return {
      since: since.toISOString(),
      until: until.toISOString(),
      activity: buckets(messages, calls.filter((c) => c.createdAt >= since)),
      recentMessages: messages.slice(0, RECENT_MESSAGES).map((m) => ({
        id: m.id, agentId: m.agentId, channel: m.channel, direction: m.direction, status: m.status, contact: contactOf(m), errorCode: m.errorCode, createdAt: m.createdAt.toISOString(),
      })),
      liveCalls: calls
        .filter((c) => !(FINAL_CALL_STATUSES as readonly string[]).includes(c.status))
        .map((c) => ({ id: c.id, agentId: c.agentId, direction: c.direction, status: c.status, contact: contactOf(c), startedAt: c.startedAt.toISOString() })),
      outbox: backlog ? { pending: backlog.pending, oldestCreatedAt: backlog.oldestCreatedAt?.toISOString() ?? null, dead } : null,
      alerts: recentAlerts.map((a) => ({ trigger: a.trigger, severity: a.severity, summary: a.summary, at: a.at.toISOString() })),
    };
  },
});
