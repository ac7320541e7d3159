import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100001';
const OTHER_NUMBER = '+15550100002';
const PERSON = '+15550100150';

interface Sent { messageId: string; providerMessageId: string | null; status: string; idempotentReplay: boolean }
interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; status: string; providerMessageId: string | null }>; nextCursor: string | null }

describe('SMS end to end: MCP client over Streamable HTTP, Twilio adapter, simulator', () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER, OTHER_NUMBER], callbackDelayMs: 5 });
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string; callbackSecret: string };
  let other: { agentId: string; token: string };
  let client: Client;

  beforeAll(async () => {
    await sim.start();
    await receiver.start();
    server = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 1500 } },
    });
    agent = await server.createAgent({ name: 'Agent A', phone: AGENT_NUMBER, callbackUrl: receiver.url });
    other = await server.createAgent({ name: 'Agent B', phone: OTHER_NUMBER });
    client = await connectHttpClient(server.url, agent.token);
  });

  afterEach(() => sim.clearFaults());

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await receiver.stop();
    await sim.stop();
  });

  const storedCount = async (): Promise<number> =>
    (await callOk<Listed>(client, 'comms_get_messages', { limit: 100 })).messages.length;

  it('lists its tools with schemas, output schemas and annotations', async () => {
    const { tools } = await client.listTools();
    const send = tools.find((t) => t.name === 'comms_send_message');
    expect(send?.title).toBeTruthy();
    // `to` may be left out when inReplyTo names the message answered (the use case then requires one of them).
    expect(send?.inputSchema.required).toEqual(['channel']);
    expect((send?.inputSchema.properties?.channel as { enum: string[] }).enum).toEqual(['sms', 'email', 'whatsapp']);
    expect(send?.outputSchema?.properties).toHaveProperty('messageId');
    expect(send?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(tools.find((t) => t.name === 'comms_get_messages')?.annotations?.readOnlyHint).toBe(true);
  });

  it('sends an SMS that reaches the simulator as a spec-valid request, then sees it delivered', async () => {
    const sent = await callOk<Sent>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'Hello from the agent' });
    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');
    const far = sim.messages.find((m) => m.sid === sent.providerMessageId);
    expect(far).toMatchObject({ from: AGENT_NUMBER, to: PERSON, body: 'Hello from the agent' });
    expect(far?.statusCallback).toBe(`${server.url}/webhooks/${agent.agentId}/sms/status`);
    expect(sim.specViolations).toEqual([]);

    const delivered = await eventually(async () => {
      const { messages } = await callOk<Listed>(client, 'comms_get_messages', { direction: 'outbound', contact: PERSON });
      const mine = messages.find((m) => m.id === sent.messageId);
      return mine?.status === 'delivered' ? mine : undefined;
    });
    expect(delivered.providerMessageId).toBe(sent.providerMessageId);
    expect(sim.callbacks.filter((c) => c.messageSid === sent.providerMessageId).every((c) => c.status === 200)).toBe(true);
  });

  it('stores a signed inbound reply once, answers empty TwiML, and forwards it signed to the agent', async () => {
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const delivery = await sim.injectInboundSms({ url, from: PERSON, to: AGENT_NUMBER, body: 'Hi agent, yes please' });
    expect(delivery.status).toBe(200);
    expect(delivery.headers['content-type']).toMatch(/xml/);
    expect(delivery.body).toMatch(/<Response\s*\/>|<Response><\/Response>/);

    const again = await sim.redeliverInboundSms(delivery.messageSid);
    expect(again.status).toBe(200);

    const { messages } = await callOk<Listed>(client, 'comms_get_messages', { direction: 'inbound', contact: PERSON });
    const stored = messages.filter((m) => m.providerMessageId === delivery.messageSid);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ from: PERSON, to: AGENT_NUMBER, body: 'Hi agent, yes please', status: 'received' });

    const [callback] = await receiver.waitFor(1);
    const verified = new Webhook(agent.callbackSecret).verify(callback!.body, {
      'webhook-id': String(callback!.headers['webhook-id']),
      'webhook-timestamp': String(callback!.headers['webhook-timestamp']),
      'webhook-signature': String(callback!.headers['webhook-signature']),
    }) as { type: string; data: { id: string; body: string } };
    expect(verified.type).toBe('message.received');
    expect(verified.data).toMatchObject({ id: stored[0]!.id, body: 'Hi agent, yes please' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it('refuses forged and missing signatures with 403 and stores nothing', async () => {
    const before = await storedCount();
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    for (const signature of ['forged', 'missing'] as const) {
      const answer = await sim.injectInboundSms({ url, from: PERSON, to: AGENT_NUMBER, body: `bad ${signature}`, signature });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
    }
    // A valid signature for another URL (here: another agent's) does not verify either.
    const signedForOther = sim.buildInboundSms({ url: `${server.url}/webhooks/${other.agentId}/sms`, from: PERSON, to: AGENT_NUMBER, body: 'moved' });
    const moved = await fetch(url, { method: 'POST', headers: signedForOther.headers, body: signedForOther.rawBody });
    expect(moved.status).toBe(403);
    expect(await storedCount()).toBe(before);
  });

  it('answers 404 for a webhook of an unknown agent, storing nothing', async () => {
    const url = `${server.url}/webhooks/agt_unknown/sms`;
    const answer = await sim.injectInboundSms({ url, from: PERSON, to: AGENT_NUMBER, body: 'who?' });
    expect(answer.status).toBe(404);
  });

  it('keeps the stored message when the agent callback fails, and retries until it is delivered', async () => {
    receiver.failNext(1);
    const before = receiver.received.length;
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const delivery = await sim.injectInboundSms({ url, from: PERSON, to: AGENT_NUMBER, body: 'retry me' });
    expect(delivery.status).toBe(200);
    const { messages } = await callOk<Listed>(client, 'comms_get_messages', { direction: 'inbound' });
    expect(messages.some((m) => m.providerMessageId === delivery.messageSid)).toBe(true);
    // First attempt answered 500; the outbox retries after its back-off (2 s).
    const received = await receiver.waitFor(before + 2, 8000);
    expect(received[before]!.answered).toBe(500);
    expect(received[before + 1]!.answered).toBe(204);
    expect(received[before + 1]!.headers['webhook-id']).toBe(received[before]!.headers['webhook-id']);
  });

  it('normalises a number written with spaces and punctuation to E.164 before it is stored and sent', async () => {
    const sent = await callOk<{ to: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'sms', to: ' +1 (555) 010-0150 ', body: 'normalised' });
    expect(sent.to).toBe('+15550100150');
    expect(sim.messages.find((m) => m.sid === sent.providerMessageId)?.to).toBe('+15550100150');
  });

  it('rejects bad input with coded errors and writes nothing', async () => {
    const before = await storedCount();
    // Sends only: price lookups of earlier messages (GETs) may still arrive in the background.
    const sends = () => sim.requests.filter((r) => r.method === 'POST').length;
    const requests = sends();
    for (const to of ['5550100150', '+1555', '+1 555 01001500', '+0555', 'not a number', '+1 800 FLOWERS']) {
      expect((await callErr(client, 'comms_send_message', { channel: 'sms', to, body: 'x' })).code).toBe('INVALID_PHONE_NUMBER');
    }
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: '' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: '   ' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'fax', to: PERSON, body: 'x' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'x'.repeat(1601) })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON })).code).toBe('INVALID_INPUT');
    expect(await storedCount()).toBe(before);
    expect(sends()).toBe(requests);
  });

  it('refuses to act as another agent (FORBIDDEN) and reports unknown agents for the admin (NOT_FOUND)', async () => {
    expect((await callErr(client, 'comms_get_messages', { agentId: other.agentId })).code).toBe('FORBIDDEN');
    expect((await callErr(client, 'comms_send_message', { agentId: other.agentId, channel: 'sms', to: PERSON, body: 'x' })).code).toBe('FORBIDDEN');
    const admin = await connectHttpClient(server.url, 'admin-token-for-tests-0123456789');
    try {
      expect((await callErr(admin, 'comms_get_messages', { agentId: 'agt_nobody' })).code).toBe('NOT_FOUND');
      expect((await callErr(admin, 'comms_get_messages', {})).code).toBe('INVALID_INPUT');
      const listed = await callOk<Listed>(admin, 'comms_get_messages', { agentId: agent.agentId });
      expect(listed.messages.length).toBeGreaterThan(0);
    } finally {
      await admin.close();
    }
    expect((await callErr(client, 'comms_create_agent', { name: 'sneaky' })).code).toBe('FORBIDDEN');
  });

  it('maps provider failures to codes and records the message as failed, never half-written', async () => {
    sim.failNext({ status: 503 });
    const unavailable = await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'during outage' });
    expect(unavailable.code).toBe('PROVIDER_UNAVAILABLE');
    expect(unavailable.nextStep).toBeTruthy();

    sim.failNext({ status: 429, retryAfterSeconds: 7 });
    const limited = await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'too fast' });
    expect(limited.code).toBe('RATE_LIMITED');

    sim.hangNext();
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'slow' })).code).toBe('PROVIDER_TIMEOUT');

    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: '+15005550001', body: 'refused' })).code).toBe('INVALID_PHONE_NUMBER');

    const { messages } = await callOk<Listed>(client, 'comms_get_messages', { direction: 'outbound', limit: 100 });
    for (const body of ['during outage', 'too fast', 'slow', 'refused']) {
      const row = messages.find((m) => m.body === body);
      expect(row, body).toMatchObject({ status: 'failed', providerMessageId: null });
    }
  });

  it('honours idempotency keys: a repeat returns the first result and sends nothing', async () => {
    const first = await callOk<Sent>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'once', idempotencyKey: 'order-42' });
    const accepted = sim.messages.length;
    const second = await callOk<Sent>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'once', idempotencyKey: 'order-42' });
    expect(second).toMatchObject({ messageId: first.messageId, providerMessageId: first.providerMessageId, idempotentReplay: true });
    expect(sim.messages.length).toBe(accepted);
    const reused = await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'different', idempotencyKey: 'order-42' });
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('sends concurrent repeats of one idempotency key exactly once', async () => {
    const accepted = sim.messages.length;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => client.callTool({ name: 'comms_send_message', arguments: { channel: 'sms', to: PERSON, body: 'race', idempotencyKey: 'race-1' } })),
    );
    expect(sim.messages.length).toBe(accepted + 1);
    const ok = results.filter((r) => !r.isError).map((r) => (r.structuredContent as Sent).messageId);
    expect(new Set(ok).size).toBe(1);
  });

  it('retries a send with the same key after a transient provider failure', async () => {
    sim.failNext({ status: 500 });
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'try again', idempotencyKey: 'retry-7' })).code).toBe('PROVIDER_UNAVAILABLE');
    const retried = await callOk<Sent>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'try again', idempotencyKey: 'retry-7' });
    expect(retried.providerMessageId).toMatch(/^SM/);
    expect(sim.messages.filter((m) => m.body === 'try again')).toHaveLength(1);
  });

  it('pages through messages newest first with a cursor and filters', async () => {
    for (let i = 0; i < 5; i++) await callOk(client, 'comms_send_message', { channel: 'sms', to: '+15550100160', body: `page ${i}` });
    const first = await callOk<Listed>(client, 'comms_get_messages', { contact: '+15550100160', limit: 2 });
    expect(first.messages.map((m) => m.body)).toEqual(['page 4', 'page 3']);
    const second = await callOk<Listed>(client, 'comms_get_messages', { contact: '+15550100160', limit: 2, cursor: first.nextCursor });
    expect(second.messages.map((m) => m.body)).toEqual(['page 2', 'page 1']);
    const third = await callOk<Listed>(client, 'comms_get_messages', { contact: '+15550100160', limit: 2, cursor: second.nextCursor });
    expect(third.messages.map((m) => m.body)).toEqual(['page 0']);
    expect(third.nextCursor).toBeNull();
    const future = await callOk<Listed>(client, 'comms_get_messages', { since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.messages).toEqual([]);
    expect((await callErr(client, 'comms_get_messages', { cursor: 'garbage' })).code).toBe('INVALID_INPUT');
  });
});
