import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MockEmail } from '../../adapters/mock/mock-email.js';
import type { MockTelephony } from '../../adapters/mock/mock-telephony.js';
import { isDomainError } from '../../ports/errors.js';
import type { UsageRecord } from '../../ports/usage.js';
import { FakeClock } from '../support/fake-clock.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';

const PERSON = '+15550100161';
const STUCK_AFTER_SECONDS = 300;

/** A promise that never settles: the provider call of a process that stopped in the middle of it. */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

async function caught(promise: Promise<unknown>): Promise<{ code: string; nextStep?: string }> {
  try {
    await promise;
  } catch (err) {
    if (isDomainError(err)) return { code: err.code, nextStep: err.nextStep };
    throw err;
  }
  throw new Error('expected a refusal');
}

/**
 * Sends whose process stopped before it recorded the provider's answer, where the provider cannot look them up
 * (the demo adapters have no lookup): recovery marks them so that a keyed retry never sends twice, and settles
 * their usage reservations. (Twilio's lookup is proven by crash-recovery.test.ts against the real server process.)
 */
describe.each([
  { name: 'SQLite', postgres: false },
  ...(POSTGRES_URL ? [{ name: 'PostgreSQL', postgres: true }] : []),
])('recovery of stuck sends without a provider lookup on $name', ({ postgres }) => {
  const clock = new FakeClock(new Date('2026-11-30T12:00:00Z'));
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  let server: TestServer;
  let agentId: string;
  let telephony: MockTelephony;
  let email: MockEmail;

  beforeAll(async () => {
    schemas = postgres ? await postgresSchemas(POSTGRES_URL!) : undefined;
    server = await startTestServer({
      clock,
      ...(schemas ? { db: { use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh() } } } : {}),
      extra: { email: { use: 'mock' }, brain: { use: 'mock' }, recovery: { stuckAfterSeconds: STUCK_AFTER_SECONDS, intervalSeconds: 3600 }, ...usageConfig({}) },
    });
    ({ agentId } = await server.createAgent({ name: 'Stuck', phone: '+15550100061', email: 'stuck@example.com' }));
    telephony = server.app.ports.telephony!.port as MockTelephony;
    email = server.app.ports.email!.port as MockEmail;
  });
  afterEach(() => {
    // Puts the adapters' own methods back (the tests shadow them on the instance).
    delete (telephony as Partial<MockTelephony>).sendSms;
    delete (email as Partial<MockEmail>).send;
    delete (telephony.calls as { makeCall?: unknown }).makeCall;
  });
  afterAll(async () => {
    await server?.close();
    await schemas?.close();
  });

  const run = (tool: string, input: Record<string, unknown>) => server.app.runner.run(tool, { kind: 'agent', agentId }, input);
  const usageOf = (link: { messageId?: string; callId?: string }): Promise<UsageRecord[]> =>
    link.messageId ? server.app.ports.db.usage.findByMessage(link.messageId) : server.app.ports.db.usage.findByCall(link.callId!);
  /** Starts a send that never gets its answer and resolves once it is stored. */
  async function stuckSend(key: string, input: Record<string, unknown>): Promise<string> {
    void run('comms_send_message', { ...input, idempotencyKey: key }).catch(() => undefined);
    return stored(key);
  }
  async function stored(key: string): Promise<string> {
    for (;;) {
      const message = (await server.app.ports.db.messages.list({ agentId, direction: 'outbound', limit: 50 })).find((m) => m.idempotencyKey === key);
      if (message) return message.id;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('leaves a send alone until it is older than stuckAfterSeconds', async () => {
    telephony.sendSms = never;
    const id = await stuckSend('young', { channel: 'sms', to: PERSON, body: 'Still in flight' });
    clock.advance((STUCK_AFTER_SECONDS - 1) * 1000);
    await server.app.runJob('recovery.stuck-sends');
    expect((await server.app.ports.db.messages.findById(id))?.status).toBe('pending');
    clock.advance(2000);
    await server.app.runJob('recovery.stuck-sends');
    expect((await server.app.ports.db.messages.findById(id))?.status).toBe('failed');
  });

  it('a send that outlasts stuckAfterSeconds still records the provider\'s answer when it comes', async () => {
    const original = telephony.sendSms.bind(telephony);
    let answer!: () => void;
    telephony.sendSms = async (request) => {
      await new Promise<void>((resolve) => (answer = resolve));
      return original(request);
    };
    const sending = run('comms_send_message', { channel: 'sms', to: PERSON, body: 'A slow one', idempotencyKey: 'slow-1' });
    const id = await stored('slow-1');
    clock.advance((STUCK_AFTER_SECONDS + 1) * 1000);
    await server.app.runJob('recovery.stuck-sends');
    expect((await server.app.ports.db.messages.findById(id))?.errorCode).toBe('PROVIDER_TIMEOUT');
    answer();
    const result = await sending as { providerMessageId: string };
    expect(result.providerMessageId).toMatch(/^MOCK/);
    const message = await server.app.ports.db.messages.findById(id);
    expect(message).toMatchObject({ providerMessageId: result.providerMessageId, errorCode: null });
    expect(message?.status).not.toBe('failed');
  });

  it('SMS: failed PROVIDER_TIMEOUT ("may have been sent"), charged; a keyed retry answers that and sends nothing', async () => {
    telephony.sendSms = never;
    const id = await stuckSend('sms-1', { channel: 'sms', to: PERSON, body: 'Your order shipped' });
    clock.advance((STUCK_AFTER_SECONDS + 1) * 1000);
    await server.app.runJob('recovery.stuck-sends');
    expect(await server.app.ports.db.messages.findById(id)).toMatchObject({ status: 'failed', errorCode: 'PROVIDER_TIMEOUT', providerMessageId: null });
    expect((await usageOf({ messageId: id })).map((r) => r.state)).toEqual(['charged']);

    delete (telephony as Partial<MockTelephony>).sendSms;
    const sentBefore = telephony.sent.length;
    const retry = await caught(run('comms_send_message', { channel: 'sms', to: PERSON, body: 'Your order shipped', idempotencyKey: 'sms-1' }));
    expect(retry).toMatchObject({ code: 'PROVIDER_TIMEOUT', nextStep: expect.stringContaining('may have been sent') });
    expect(telephony.sent.length).toBe(sentBefore);
  });

  it('email with an idempotency-keyed provider: released, and a keyed retry sends it (the provider key makes that safe)', async () => {
    email.send = never;
    const input = { channel: 'email', to: 'person@example.com', subject: 'Receipt', text: 'Thanks for your order' };
    const id = await stuckSend('mail-1', input);
    clock.advance((STUCK_AFTER_SECONDS + 1) * 1000);
    await server.app.runJob('recovery.stuck-sends');
    expect(await server.app.ports.db.messages.findById(id)).toMatchObject({ status: 'failed', errorCode: 'PROVIDER_UNAVAILABLE' });
    expect((await usageOf({ messageId: id })).map((r) => r.state)).toEqual(['released']);

    delete (email as Partial<MockEmail>).send;
    const retry = await run('comms_send_message', { ...input, idempotencyKey: 'mail-1' }) as { messageId: string; idempotentReplay: boolean };
    expect(retry).toMatchObject({ messageId: id, idempotentReplay: false });
    expect(email.sent.filter((m) => m.idempotencyKey === `${agentId}:mail-1`)).toHaveLength(1);
    // The first attempt's reservation given back, the retry's own one kept.
    const states = (await usageOf({ messageId: id })).map((r) => r.state);
    expect(states.filter((s) => s === 'released')).toHaveLength(1);
    expect(states.filter((s) => s !== 'released')).toHaveLength(1);
  });

  it('a call never placed: failed PROVIDER_TIMEOUT, its minutes released', async () => {
    telephony.calls!.makeCall = never;
    void run('comms_make_call', { to: PERSON, purpose: 'Confirm the delivery slot' }).catch(() => undefined);
    let callId: string | undefined;
    while (!callId) {
      [callId] = (await server.app.ports.db.calls.list({ agentId, limit: 1 })).map((c) => c.id);
      await new Promise((r) => setTimeout(r, 10));
    }
    clock.advance((STUCK_AFTER_SECONDS + 1) * 1000);
    await server.app.runJob('recovery.stuck-sends');
    expect(await server.app.ports.db.calls.findById(callId)).toMatchObject({ status: 'failed', errorCode: 'PROVIDER_TIMEOUT', providerCallId: null });
    expect((await usageOf({ callId })).map((r) => r.state)).toEqual(['released']);
  });
});
