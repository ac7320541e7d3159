import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../core/context.js';
import { checkOutbound, type Admission } from '../../core/policy/pre-send-policy.js';
import { priceLine } from '../../core/usage/pricing.js';
import { resolveExpiredHolds } from '../../core/usage/settle-usage.js';
import { isDomainError } from '../../ports/errors.js';
import type { MessageRecord } from '../../ports/records.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { FakeClock } from '../support/fake-clock.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';

const TO = '+15550100001';
let server: TestServer | undefined;
let receiver: CallbackReceiver | undefined;
let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.stop();
  await schemas?.close();
  server = receiver = schemas = undefined;
});

const send = (srv: TestServer, agent: Caller) => srv.app.runner.run('comms_send_message', agent, { channel: 'sms', to: TO, body: 'hello' });

function verified(secret: string, callback: { body: string; headers: Record<string, string | string[] | undefined> }): { type: string; agentId: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(callback.body, {
    'webhook-id': String(callback.headers['webhook-id']),
    'webhook-timestamp': String(callback.headers['webhook-timestamp']),
    'webhook-signature': String(callback.headers['webhook-signature']),
  }) as { type: string; agentId: string; data: Record<string, unknown> };
}

describe('usage.threshold events', () => {
  it('are sent once per period at 80 % and 100 % of a cap, signed, through the callback outbox', async () => {
    receiver = await new CallbackReceiver().start();
    server = await startTestServer({ callbackUrl: receiver.url, extra: usageConfig({ spend: { perDay: '0.05' } }) });
    const agent = await server.createAgent({ name: 'spender', phone: '+15550100099' });
    const caller: Caller = { kind: 'agent', agentId: agent.agentId };
    for (let i = 0; i < 3; i++) await send(server, caller);
    expect(receiver.received).toHaveLength(0);
    await send(server, caller);
    await send(server, caller);
    const refused = await send(server, caller).catch((err: unknown) => err);
    expect(isDomainError(refused) && refused.code).toBe('SPENDING_CAP_REACHED');
    const events = (await receiver.waitFor(2)).map((c) => verified(agent.callbackSecret, c));
    expect(events.map((e) => [e.type, e.agentId, e.data.thresholdPercent, e.data.spent, e.data.cap])).toEqual([
      ['usage.threshold', agent.agentId, 80, '0.040000', '0.050000'],
      ['usage.threshold', agent.agentId, 100, '0.050000', '0.050000'],
    ]);
    expect(events[0]!.data).toMatchObject({ limit: 'spend:day', currency: 'USD' });
    // The refusal after the cap was reached queued nothing more: the outbox empties with these two.
    const ports = server.app.ports;
    await eventually(async () => ((await ports.db.callbacks.due(new Date(Date.now() + 86_400_000), 10)).length === 0 ? true : undefined));
    expect(receiver.received).toHaveLength(2);
  });

  it('sends the 100 % event when a refusal is the first sign of the cap', async () => {
    receiver = await new CallbackReceiver().start();
    server = await startTestServer({ callbackUrl: receiver.url, extra: usageConfig({ spend: { perDay: '0.015' } }) });
    const agent = await server.createAgent({ name: 'spender', phone: '+15550100099' });
    const caller: Caller = { kind: 'agent', agentId: agent.agentId };
    await send(server, caller);
    await send(server, caller).catch(() => undefined);
    const [event] = (await receiver.waitFor(1)).map((c) => verified(agent.callbackSecret, c));
    expect(event!.data).toMatchObject({ thresholdPercent: 100, cap: '0.015000' });
  });
});

describe('settlement', () => {
  it('charges a voice message its characters at once and its call by the real minutes once it ends', async () => {
    server = await startTestServer({ extra: { ...usageConfig({}), tts: { use: 'mock' }, storage: { use: 'local' } } });
    const { agentId } = await server.createAgent({ name: 'caller', phone: '+15550100099' });
    const placed = (await server.app.runner.run('comms_send_voice_message', { kind: 'agent', agentId }, { to: TO, text: 'Your parcel arrives today.' })) as {
      callId: string; usage: { units: number; unit: string; estimatedPrice: string };
    };
    // 5 reserved minutes at 0.10 plus 26 characters at 0.0001.
    expect(placed.usage).toEqual({ units: 5, unit: 'minute', estimatedPrice: '0.502600', currency: 'USD' });
    const records = await eventually(async () => {
      const found = await server!.app.ports.db.usage.findByCall(placed.callId);
      return found.every((r) => r.state === 'charged') ? found : undefined;
    });
    const byAction = Object.fromEntries(records.map((r) => [r.action, r]));
    expect(byAction.tts).toMatchObject({ units: 26, unit: 'character', costMicros: 2_600, state: 'charged' });
    const call = await server.app.ports.db.calls.findById(placed.callId);
    expect(call?.status).toBe('completed');
    const minutes = Math.ceil(call!.durationSeconds! / 60);
    expect(byAction.call).toMatchObject({ units: minutes, costMicros: minutes * 100_000, priceMicros: minutes * 100_000, costSource: 'price-table' });
    // The spending counters hold the real cost, not the reservation.
    const usage = (await server.app.runner.run('comms_get_usage', { kind: 'agent', agentId }, {})) as { totalPrice: string };
    expect(usage.totalPrice).toBe(((minutes * 100_000 + 2_600) / 1e6).toFixed(6));
  });

  // SQLite reserves in the message's own transaction (Database.reservesWithAction): there a crash before the message
  // is stored leaves nothing at all (the last case below; crash-recovery.test.ts kills a real process mid-send).
  it.each([
    { moment: 'after the message was stored', crashBeforeInsert: false, postgres: false },
    ...(POSTGRES_URL ? [{ moment: 'before the message was stored (PostgreSQL, which reserves alone)', crashBeforeInsert: true, postgres: true }] : []),
  ])('gives back a reservation left held by a crash $moment, once it expires', async (input) => {
    const clock = new FakeClock(new Date('2026-11-30T10:00:00.000Z'));
    schemas = input.postgres ? await postgresSchemas(POSTGRES_URL!) : undefined;
    const db = schemas ? { db: { use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh() } } } : {};
    server = await startTestServer({ clock, ...db, extra: usageConfig({ spend: { perDay: '0.01' }, actions: { sms: { perDay: 1 } } }, { holdSeconds: 60 }) });
    const { agentId } = await server.createAgent({ name: 'crashy', phone: '+15550100099' });
    const { admission, message } = await admitOne(server, agentId, clock);
    // The process may die before or after storing the message.
    void admission.commit({ messageId: message.id }, async (repositories, keep) => {
      if (input.crashBeforeInsert) return new Promise<never>(() => undefined);
      await repositories.messages.insertOutbound(message);
      return keep();
    });
    await eventually(async () => (await server!.app.ports.db.usage.findByMessage(message.id)).length === 1 || undefined);
    const caller: Caller = { kind: 'agent', agentId };
    expect(await send(server, caller).catch((err: unknown) => isDomainError(err) && err.code)).toBe('RATE_LIMITED');
    expect(await resolveExpiredHolds(server.app.ports)).toBe(0);
    clock.advance(61_000);
    expect(await resolveExpiredHolds(server.app.ports)).toBe(1);
    expect((await server.app.ports.db.usage.findByMessage(message.id)).map((r) => r.state)).toEqual(['released']);
    await send(server, caller);
  });

  it('SQLite: holds the reservation in the transaction of the message, so a send that fails before storing it leaves nothing held or counted', async () => {
    server = await startTestServer({ extra: usageConfig({ spend: { perDay: '0.01' }, actions: { sms: { perDay: 1 } } }, { holdSeconds: 60 }) });
    expect(server.app.ports.db.reservesWithAction).toBe(true);
    const { agentId } = await server.createAgent({ name: 'crashy', phone: '+15550100099' });
    const { admission, message } = await admitOne(server, agentId, new FakeClock(new Date()));
    const failure = admission.commit({ messageId: message.id }, async (repositories) => {
      // The reservation is visible inside its transaction, and nowhere else until it commits.
      expect(await repositories.usage.findByMessage(message.id)).toHaveLength(1);
      throw new Error('died before the message was stored');
    });
    await expect(failure).rejects.toThrow('died before the message was stored');
    expect(await server.app.ports.db.usage.findByMessage(message.id)).toEqual([]);
    expect((await server.app.ports.db.usage.counters(agentId, new Date())).filter((c) => c.used !== 0)).toEqual([]);
    await send(server, { kind: 'agent', agentId });
  });

  it('charges (does not release) an expired hold whose message the provider accepted', async () => {
    const clock = new FakeClock(new Date('2026-11-30T10:00:00.000Z'));
    server = await startTestServer({ clock, extra: usageConfig({}, { holdSeconds: 60 }) });
    const { agentId } = await server.createAgent({ name: 'fine', phone: '+15550100099' });
    const sent = (await send(server, { kind: 'agent', agentId })) as { messageId: string };
    expect((await server.app.ports.db.usage.findByMessage(sent.messageId)).map((r) => r.state)).toEqual(['held']);
    clock.advance(61_000);
    await resolveExpiredHolds(server.app.ports);
    expect((await server.app.ports.db.usage.findByMessage(sent.messageId)).map((r) => r.state)).toEqual(['charged']);
  });
});

/** What comms_send_message does up to storing its message: the policy's admission, and the message it would store. */
async function admitOne(server: TestServer, agentId: string, clock: FakeClock): Promise<{ admission: Admission; message: MessageRecord }> {
  const agent = (await server.app.ports.db.agents.findById(agentId))!;
  const ctx = { caller: { kind: 'agent' as const, agentId }, ports: server.app.ports, requestId: 'req_crash' };
  const admission = await checkOutbound(ctx, { kind: 'sms', agent, contacts: [TO], sender: '+15550100001', lines: [priceLine(server.app.ports.settings.usage, { channel: 'sms', action: 'message', units: 1, unit: 'segment', provider: 'mock', to: TO })] });
  const now = clock.now();
  const message: MessageRecord = {
    id: 'msg_crashed', agentId, channel: 'sms', direction: 'outbound', from: '+15550100099', to: TO, body: 'lost', status: 'pending', provider: 'mock',
    providerMessageId: null, idempotencyKey: null, requestHash: null, errorCode: null, errorMessage: null, metadata: {}, createdAt: now, updatedAt: now,
  };
  return { admission, message };
}
