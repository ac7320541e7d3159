import { afterEach, describe, expect, it } from 'vitest';
import type { MockTelephony } from '../../adapters/mock/mock-telephony.js';
import type { Caller } from '../../core/context.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';

const START = '2026-11-30T10:00:30.000Z';
const A = '+15550100001';
const B = '+15550100002';
const ADMIN: Caller = { kind: 'admin' };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(limits: Record<string, unknown>, more: Record<string, unknown> = {}): Promise<{ clock: FakeClock; agent: Caller; agentId: string; srv: TestServer }> {
  const clock = new FakeClock(new Date(START));
  server = await startTestServer({ clock, extra: { ...usageConfig(limits, more), email: { use: 'mock' }, whatsapp: { use: 'mock' }, brain: { use: 'mock' } } });
  const { agentId } = await server.createAgent({ name: 'limited', phone: '+15550100099', email: 'agent@example.com', whatsapp: '+15550100098' });
  return { clock, agent: { kind: 'agent', agentId }, agentId, srv: server };
}

type SendResult = { messageId: string; usage: { units: number; unit: string; estimatedPrice: string; currency: string } | null };

function sender(srv: TestServer, agent: Caller) {
  return (to = A, body = 'hello') => srv.app.runner.run('comms_send_message', agent, { channel: 'sms', to, body }) as Promise<SendResult>;
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(() => null, (err: unknown) => err);
  if (!isDomainError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

async function outboundCount(srv: TestServer, agentId: string): Promise<number> {
  return (await srv.app.ports.db.messages.list({ agentId, direction: 'outbound', limit: 1000 })).length;
}

const sentByProvider = (srv: TestServer): number => (srv.app.ports.telephony!.port as MockTelephony).sent.length;

describe('rate limits per action type', () => {
  it('per minute: the Nth send passes, the N+1th is RATE_LIMITED with retryAfterSeconds, stored nowhere and not sent; the next minute it passes', async () => {
    const { clock, agent, agentId, srv } = await setup({ actions: { sms: { perMinute: 3 } } });
    const send = sender(srv, agent);
    for (let i = 0; i < 3; i++) await send();
    const refused = await refusal(send());
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.details).toMatchObject({ retryAfterSeconds: 30, resetAt: '2026-11-30T10:01:00.000Z', window: 'minute', limit: 3 });
    expect(await outboundCount(srv, agentId)).toBe(3);
    expect(sentByProvider(srv)).toBe(3);
    clock.advance(29_000);
    expect((await refusal(send())).details.retryAfterSeconds).toBe(1);
    clock.advance(1_000);
    await send();
    expect(await outboundCount(srv, agentId)).toBe(4);
  });

  it('per hour and per day, each at its boundary and its roll-over; other action types are counted apart', async () => {
    const { clock, agent, srv } = await setup({ actions: { sms: { perHour: 2, perDay: 3 }, email: { perDay: 1 } } });
    const send = sender(srv, agent);
    await send();
    await send();
    expect(await refusal(send())).toMatchObject({ code: 'RATE_LIMITED', details: { window: 'hour', resetAt: '2026-11-30T11:00:00.000Z' } });
    await srv.app.runner.run('comms_send_message', agent, { channel: 'email', to: 'a@example.com', subject: 's', text: 't' });
    expect(await refusal(srv.app.runner.run('comms_send_message', agent, { channel: 'email', to: 'b@example.com', subject: 's', text: 't' })))
      .toMatchObject({ code: 'RATE_LIMITED', details: { window: 'day', actionType: 'email' } });
    clock.set('2026-11-30T11:00:00.000Z');
    await send();
    expect(await refusal(send())).toMatchObject({ code: 'RATE_LIMITED', details: { window: 'day', resetAt: '2026-12-01T00:00:00.000Z' } });
    clock.set('2026-12-01T00:00:00.000Z');
    await send();
  });

  it('a send the provider refused gives its slot back; one that timed out (may have gone out) keeps it', async () => {
    const { agent, agentId, srv } = await setup({ actions: { sms: { perMinute: 1 } } });
    const send = sender(srv, agent);
    const telephony = srv.app.ports.telephony!.port as MockTelephony;
    telephony.injectFault('server-error');
    expect((await refusal(send())).code).toBe('PROVIDER_UNAVAILABLE');
    telephony.injectFault('timeout');
    expect((await refusal(send())).code).toBe('PROVIDER_TIMEOUT');
    telephony.injectFault(null);
    expect((await refusal(send())).code).toBe('RATE_LIMITED');
    const records = (await srv.app.ports.db.messages.list({ agentId, direction: 'outbound', limit: 10 })).map((m) => m.errorCode);
    expect(records.sort()).toEqual(['PROVIDER_TIMEOUT', 'PROVIDER_UNAVAILABLE']);
  });
});

describe('per-contact limits', () => {
  it('refuses the M+1th message of the day to one number (any channel counts), not to others, and names no number', async () => {
    const { clock, agent, srv } = await setup({ perContact: { messagesPerDay: 2 } });
    const send = sender(srv, agent);
    await send(A);
    const template = (await srv.app.runner.run('comms_send_message', agent, { channel: 'whatsapp', to: A, templateId: 'HX0123' })) as SendResult;
    expect(template.usage).toMatchObject({ units: 1, unit: 'conversation', estimatedPrice: '0.020000' });
    const refused = await refusal(send(A));
    expect(refused.code).toBe('CONTACT_LIMIT_REACHED');
    expect(refused.details).toMatchObject({ limit: 2, resetAt: '2026-12-01T00:00:00.000Z' });
    expect(JSON.stringify(refused)).not.toContain(A);
    await send(B);
    clock.set('2026-12-01T00:00:01.000Z');
    await send(A);
  });

  it('counts every recipient of an email, case-insensitively', async () => {
    const { agent, srv } = await setup({ perContact: { messagesPerDay: 1 } });
    const email = (input: Record<string, unknown>) => srv.app.runner.run('comms_send_message', agent, { channel: 'email', subject: 's', text: 't', ...input });
    const first = (await email({ to: 'ada@example.com', cc: ['bob@example.com'] })) as SendResult;
    expect(first.usage).toMatchObject({ units: 2, unit: 'email' });
    expect((await refusal(email({ to: 'carl@example.com', bcc: ['BOB@example.com'] }))).code).toBe('CONTACT_LIMIT_REACHED');
    await email({ to: 'carl@example.com' });
  });

  it('refuses the N+1th call of the day to one number', async () => {
    const { agent, srv } = await setup({ perContact: { callsPerDay: 1 } }, {});
    const call = () => srv.app.runner.run('comms_make_call', agent, { to: A, purpose: 'confirm the appointment' });
    await call();
    expect(await refusal(call())).toMatchObject({ code: 'CONTACT_LIMIT_REACHED', details: { contactLimit: 'call' } });
  });
});

describe('spending caps', () => {
  it('per day: passes up to the cap, refuses what would pass it with the next reset time, and resets at midnight UTC', async () => {
    const { clock, agent, agentId, srv } = await setup({ spend: { perDay: '0.03' } });
    const send = sender(srv, agent);
    const first = await send();
    expect(first.usage).toEqual({ units: 1, unit: 'segment', estimatedPrice: '0.010000', currency: 'USD' });
    await send();
    // 0.01 left: a two-segment message (0.02) does not fit, a one-segment one does.
    expect(await refusal(send(A, 'x'.repeat(161)))).toMatchObject({
      code: 'SPENDING_CAP_REACHED', details: { resetAt: '2026-12-01T00:00:00.000Z', window: 'day', cap: '0.030000 USD' },
    });
    await send();
    expect((await refusal(send())).code).toBe('SPENDING_CAP_REACHED');
    expect(await outboundCount(srv, agentId)).toBe(3);
    clock.set('2026-12-01T00:00:00.000Z');
    await send();
  });

  it('per month: the cap holds across days and resets on the 1st', async () => {
    const { clock, agent, srv } = await setup({ spend: { perMonth: '0.02' } });
    const send = sender(srv, agent);
    clock.set('2026-11-03T09:00:00.000Z');
    await send();
    clock.set('2026-11-17T09:00:00.000Z');
    await send();
    clock.set('2026-11-30T23:59:59.000Z');
    expect(await refusal(send())).toMatchObject({ code: 'SPENDING_CAP_REACHED', details: { window: 'month', resetAt: '2026-12-01T00:00:00.000Z', retryAfterSeconds: 1 } });
    clock.set('2026-12-01T00:00:00.000Z');
    await send();
  });

  it('counts the marked-up price, per destination price, and a zero cap refuses everything that costs', async () => {
    const { agent, agentId, srv } = await setup({ spend: { perDay: '0.10' } });
    const send = sender(srv, agent);
    expect((await send('+447700900123')).usage?.estimatedPrice).toBe('0.050000');
    await srv.app.runner.run('comms_set_agent_limits', ADMIN, { agentId, tier: 'gold', overrides: { spend: { perDay: '0.10' } } });
    expect((await send()).usage?.estimatedPrice).toBe('0.015000');
    await srv.app.runner.run('comms_set_agent_limits', ADMIN, { agentId, overrides: { spend: { perDay: '0' } } });
    expect((await refusal(send())).code).toBe('SPENDING_CAP_REACHED');
    const records = (await srv.app.ports.db.usage.totals({ agentId, since: new Date(0), until: new Date('2027-01-01') }))[0]!;
    expect(records).toMatchObject({ records: 2, units: 2, costMicros: 60_000, priceMicros: 65_000 });
  });
});

describe('tiers and the admin tool', () => {
  it('resolves the tier with the agent\'s overrides, refuses an unknown tier, and the change applies to the next send', async () => {
    const { agent, agentId, srv } = await setup({ markupPercent: 10, actions: { sms: { perDay: 1 } } });
    const send = sender(srv, agent);
    expect((await send()).usage?.estimatedPrice).toBe('0.011000');
    expect((await refusal(send())).code).toBe('RATE_LIMITED');
    expect((await refusal(srv.app.runner.run('comms_set_agent_limits', ADMIN, { agentId, tier: 'platinum' }))).code).toBe('INVALID_INPUT');
    expect((await refusal(srv.app.runner.run('comms_set_agent_limits', agent, { agentId, tier: 'gold' }))).code).toBe('FORBIDDEN');
    const view = await srv.app.runner.run('comms_set_agent_limits', ADMIN, { agentId, overrides: { actions: { sms: { perDay: null } }, markupPercent: 25 } });
    expect(view).toMatchObject({ tier: 'test', markupPercent: 25, actions: { sms: { perDay: null } } });
    expect((await send()).usage?.estimatedPrice).toBe('0.012500');
  });
});

describe('visibility', () => {
  it('comms_get_usage shows each limit against its window and spend by day and channel; the dashboard totals, tiers, top agents and refusals', async () => {
    const { clock, agent, agentId, srv } = await setup({ actions: { sms: { perMinute: 2 } }, spend: { perDay: '1', perMonth: '10' } });
    const send = sender(srv, agent);
    await send();
    await send(A, 'ł'.repeat(71));
    await refusal(send());
    clock.advance(60_000);
    const usage = (await srv.app.runner.run('comms_get_usage', agent, {})) as {
      standings: Array<{ limit: string; cap: string; used: string; remaining: string; resetAt: string }>; days: unknown[]; totalPrice: string;
    };
    expect(usage.standings).toEqual([
      { limit: 'actions:sms:minute', cap: '2', used: '0', remaining: '2', resetAt: '2026-11-30T10:02:00.000Z' },
      { limit: 'spend:day', cap: '1.000000', used: '0.030000', remaining: '0.970000', resetAt: '2026-12-01T00:00:00.000Z' },
      { limit: 'spend:month', cap: '10.000000', used: '0.030000', remaining: '9.970000', resetAt: '2026-12-01T00:00:00.000Z' },
    ]);
    expect(usage.days).toEqual([{ day: '2026-11-30', channel: 'sms', action: 'message', unit: 'segment', count: 2, units: 3, price: '0.030000' }]);
    expect(usage.totalPrice).toBe('0.030000');
    const dashboard = await srv.app.runner.run('comms_get_usage_dashboard', ADMIN, {});
    expect(dashboard).toMatchObject({
      totals: { count: 2, cost: '0.030000', price: '0.030000', margin: '0.000000', agents: 1 },
      byTier: [{ tier: 'test', agents: 1, count: 2 }],
      topAgents: [{ agentId, name: 'limited', tier: 'test', price: '0.030000' }],
      refusals: [{ code: 'RATE_LIMITED', count: 1 }],
    });
    expect((await refusal(srv.app.runner.run('comms_get_usage_dashboard', agent, {}))).code).toBe('FORBIDDEN');
  });
});
