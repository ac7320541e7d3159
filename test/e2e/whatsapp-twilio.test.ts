import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { buildInboundWhatsApp } from '../simulators/twilio/whatsapp-inbound-form.js';

const SENDER = '+15550100081';
const CONTACT = '+15550100181';
const CONTENT_SID = `HX${'a1'.repeat(16)}`;

interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; status: string; providerMessageId: string | null; errorCode: string | null }> }

describe('WhatsApp end to end: MCP client, Twilio adapter, simulator', () => {
  const sim = new TwilioSimulator({ ownedNumbers: [SENDER], callbackDelayMs: 5 });
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let client: Client;
  const webhookUrl = (): string => `${server.url}/webhooks/${agent.agentId}/whatsapp`;
  const post = (w: { url: string; headers: Record<string, string>; rawBody: string }): Promise<Response> =>
    fetch(w.url, { method: 'POST', headers: w.headers, body: w.rawBody });

  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      extra: { whatsapp: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 1500 } } },
    });
    agent = await server.createAgent({ name: 'Twilio WA', whatsapp: SENDER });
    client = await connectHttpClient(server.url, agent.token);
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await sim.stop();
  });

  const messages = async (): Promise<Listed['messages']> => (await callOk<Listed>(client, 'comms_get_messages', { channel: 'whatsapp', limit: 100 })).messages;

  it('sends an approved Content template outside the window, as whatsapp: addresses with ContentVariables', async () => {
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'hi' })).code).toBe('TEMPLATE_REQUIRED');
    const sent = await callOk<{ providerMessageId: string }>(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, templateId: CONTENT_SID, templateVars: { 1: 'Ada' } });
    const far = sim.messages.find((m) => m.sid === sent.providerMessageId);
    expect(far).toMatchObject({ from: `whatsapp:${SENDER}`, to: `whatsapp:${CONTACT}` });
    const request = sim.requests.find((r) => r.method === 'POST' && r.params.ContentSid === CONTENT_SID);
    expect(JSON.parse(String(request?.params.ContentVariables))).toEqual({ 1: 'Ada' });
    expect(sim.specViolations).toEqual([]);
  });

  it('stores a signed inbound message once (replay), then sends free-form replies that get delivered', async () => {
    const inbound = buildInboundWhatsApp(sim, { url: webhookUrl(), from: CONTACT, to: SENDER, body: 'Yes, Tuesday', profileName: 'Ada' });
    expect((await post(inbound)).status).toBe(200);
    expect((await post(inbound)).status).toBe(200);
    const stored = (await messages()).filter((m) => m.direction === 'inbound');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ from: CONTACT, to: SENDER, body: 'Yes, Tuesday', providerMessageId: inbound.messageSid });

    const reply = await callOk<{ messageId: string }>(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'Great, see you then.' });
    const delivered = await eventually(async () => (await messages()).find((m) => m.id === reply.messageId && m.status === 'delivered'));
    expect(delivered.body).toBe('Great, see you then.');
  });

  it('refuses forged and missing signatures with 403 and stores nothing', async () => {
    const before = (await messages()).length;
    for (const signature of ['forged', 'missing'] as const) {
      const res = await post(buildInboundWhatsApp(sim, { url: webhookUrl(), from: CONTACT, to: SENDER, body: signature, signature }));
      expect(res.status, signature).toBe(403);
    }
    expect((await messages()).length).toBe(before);
  });

  it('maps provider failures to codes', async () => {
    sim.failNext({ status: 503 });
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'outage' })).code).toBe('PROVIDER_UNAVAILABLE');
    sim.failNext({ status: 429, retryAfterSeconds: 2 });
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, body: 'slow' })).code).toBe('RATE_LIMITED');
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: CONTACT, templateId: 'not-a-content-sid' })).code).toBe('INVALID_INPUT');
  });
});
