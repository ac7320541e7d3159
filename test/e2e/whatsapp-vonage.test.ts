import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { VonageSimulator } from '../simulators/vonage/vonage-simulator.js';

const SENDER = '+15550100031';
const POOL_SENDER = '+15550100032';
const CONTACT = '+15550100140';
const NEW_CONTACT = '+15550100141';

interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; status: string; providerMessageId: string | null; metadata: Record<string, unknown> }> }

describe('WhatsApp end to end: MCP client, Vonage adapter, simulator', () => {
  const sim = new VonageSimulator({ whatsappNumbers: [SENDER, POOL_SENDER], statusDelayMs: 5 });
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let client: Client;
  const inboundUrl = (): string => `${server.url}/webhooks/${agent.agentId}/whatsapp`;

  beforeAll(async () => {
    await sim.start();
    await receiver.start();
    server = await startTestServer({
      extra: { whatsapp: { use: 'vonage', options: { apiKey: sim.apiKey, apiSecret: sim.apiSecret, signatureSecret: sim.signatureSecret, apiHost: sim.baseUrl, timeoutMs: 1500 } } },
    });
    agent = await server.createAgent({ name: 'WA agent', whatsapp: SENDER, callbackUrl: receiver.url });
    client = await connectHttpClient(server.url, agent.token);
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await receiver.stop();
    await sim.stop();
  });

  const messages = async (): Promise<Listed['messages']> => (await callOk<Listed>(client, 'comms_get_messages', { channel: 'whatsapp', limit: 100 })).messages;

  it('refuses free-form text outside the 24-hour window with TEMPLATE_REQUIRED, sending nothing', async () => {
    const requests = sim.requests.length;
    const error = await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: NEW_CONTACT, body: 'Hi there' });
    expect(error.code).toBe('TEMPLATE_REQUIRED');
    expect(error.nextStep).toContain('templateId');
    expect(sim.requests.length).toBe(requests);
    expect(await messages()).toEqual([]);
  });

  it('sends an approved template outside the window', async () => {
    const sent = await callOk<{ providerMessageId: string; from: string }>(client, 'comms_send_message', {
      channel: 'whatsapp', to: NEW_CONTACT, templateId: 'appointment_reminder', templateVars: { 1: 'Ada', 2: 'Tuesday' },
    });
    expect(sent.from).toBe(SENDER);
    const far = sim.messages.find((m) => m.messageUuid === sent.providerMessageId);
    expect(far?.body).toMatchObject({ channel: 'whatsapp', to: NEW_CONTACT.slice(1), from: SENDER.slice(1) });
    expect(JSON.stringify(far?.body)).toContain('appointment_reminder');
  });

  it('stores a signed inbound message once, forwards it, and then allows free-form replies that get delivered', async () => {
    const injected = await sim.injectInbound({ url: inboundUrl(), from: CONTACT, to: SENDER, text: 'Can I reschedule?' });
    expect(injected.status).toBe(200);
    const replay = sim.buildInbound({ url: inboundUrl(), from: CONTACT, to: SENDER, text: 'Can I reschedule?', messageUuid: injected.messageUuid });
    expect((await fetch(replay.url, { method: 'POST', headers: replay.headers, body: replay.rawBody })).status).toBe(200);
    const inbound = (await messages()).filter((m) => m.direction === 'inbound');
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ from: CONTACT, to: SENDER, body: 'Can I reschedule?', status: 'received', providerMessageId: injected.messageUuid });
    await receiver.waitFor(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: 'message.received', data: { channel: 'whatsapp', body: 'Can I reschedule?' } });

    const reply = await callOk<{ messageId: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'Sure, which day?' });
    expect(sim.messages.find((m) => m.messageUuid === reply.providerMessageId)?.body).toMatchObject({ message_type: 'text', text: 'Sure, which day?' });
    const read = await eventually(async () => (await messages()).find((m) => m.id === reply.messageId && m.status === 'read'));
    expect(read.providerMessageId).toBe(reply.providerMessageId);
  });

  it('refuses forged, tampered, stale and missing signatures with 403, storing nothing', async () => {
    const before = (await messages()).length;
    for (const signature of ['forged', 'tampered', 'stale', 'missing'] as const) {
      const webhook = sim.buildInbound({ url: inboundUrl(), from: CONTACT, to: SENDER, text: `bad ${signature}`, signature });
      const res = await fetch(webhook.url, { method: 'POST', headers: webhook.headers, body: webhook.rawBody });
      expect(res.status, signature).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
    }
    expect((await messages()).length).toBe(before);
  });

  it('maps provider failures to codes and records the message as failed', async () => {
    sim.failNext({ status: 503 });
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'outage' })).code).toBe('PROVIDER_UNAVAILABLE');
    sim.failNext({ status: 401 });
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'bad key' })).code).toBe('PROVIDER_AUTH_FAILED');
    sim.failNext({ status: 429, retryAfterSeconds: 3 });
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'slow down' })).code).toBe('RATE_LIMITED');
    const stored = await messages();
    for (const body of ['outage', 'bad key', 'slow down']) expect(stored.find((m) => m.body === body)?.status, body).toBe('failed');
  });

  it('rejects bad WhatsApp input with coded errors', async () => {
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: 'whatsapp:15550100140', body: 'x' })).code).toBe('INVALID_PHONE_NUMBER');
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'x', subject: 'no' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'x', templateId: 't' })).code).toBe('INVALID_INPUT');
  });

  it('sends from the shared sender pool when the agent has no dedicated sender', async () => {
    const pooled = await server.createAgent({ name: 'Pooled agent' });
    const added = await fetch(`${server.url}/api/v1/whatsapp-senders`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ address: POOL_SENDER }),
    });
    expect(added.status).toBe(201);
    const pooledClient = await connectHttpClient(server.url, pooled.token);
    try {
      const sent = await callOk<{ from: string }>(pooledClient, 'comms_send_message', { channel: 'whatsapp', to: NEW_CONTACT, templateId: 'welcome' });
      expect(sent.from).toBe(POOL_SENDER);
      // The reply comes to the shared sender, on the pooled agent's URL: a shared sender is any pooled agent's.
      const reply = await sim.injectInbound({ url: `${server.url}/webhooks/${pooled.agentId}/whatsapp`, from: NEW_CONTACT, to: POOL_SENDER, text: 'Thanks' });
      expect(reply.status).toBe(200);
      // The dedicated sender of another agent is not the pooled agent's: refused, nothing stored.
      const foreign = await sim.injectInbound({ url: `${server.url}/webhooks/${pooled.agentId}/whatsapp`, from: NEW_CONTACT, to: SENDER, text: 'For the first agent' });
      expect(foreign.status).toBe(403);
      const stored = await server.app.ports.db.messages.list({ agentId: pooled.agentId, direction: 'inbound', limit: 10 });
      expect(stored.map((m) => m.body)).toEqual(['Thanks']);
    } finally {
      await pooledClient.close();
    }
    const duplicate = await fetch(`${server.url}/api/v1/whatsapp-senders`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ address: POOL_SENDER }),
    });
    expect(duplicate.status).toBe(409);
  });
});
