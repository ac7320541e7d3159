import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Listed { messages: Array<{ channel: string; direction: string; from: string; to: string; body: string; status: string; metadata: Record<string, unknown> }> }

/** Demo mode (`mock` adapters everywhere, as in config/default.yaml): every channel works without a provider. */
describe('demo mode: every channel through the mock adapters', () => {
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let client: Client;

  beforeAll(async () => {
    await receiver.start();
    server = await startTestServer({
      extra: { email: { use: 'mock' }, whatsapp: { use: 'mock' }, tts: { use: 'mock' }, storage: { use: 'local' }, brain: { use: 'mock' } },
    });
    agent = await server.createAgent({ name: 'Demo', phone: '+15550100071', email: 'demo@example.com', whatsapp: '+15550100072', callbackUrl: receiver.url });
    client = await connectHttpClient(server.url, agent.token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await receiver.stop();
  });

  const post = (path: string, body: string, contentType: string): Promise<Response> => {
    const url = `${server.url}${path}`;
    return fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-mock-signature': signMockWebhook('demo-secret', url, body) }, body });
  };

  it('sends on sms, email and whatsapp and lists them per channel', async () => {
    await callOk(client, 'comms_send_message', { channel: 'sms', to: '+15550100172', body: 'demo sms' });
    await callOk(client, 'comms_send_message', { channel: 'email', to: 'ada@example.com', subject: 'Demo', text: 'demo email' });
    // The demo provider does not enforce the 24-hour window, but core does: first the contact writes.
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: '+15550100173', body: 'too early' })).code).toBe('TEMPLATE_REQUIRED');
    const inbound = new URLSearchParams({ MessageSid: 'MOCKWAIN1', From: 'whatsapp:+15550100173', To: 'whatsapp:+15550100072', Body: 'hello there' }).toString();
    expect((await post(`/webhooks/${agent.agentId}/whatsapp`, inbound, 'application/x-www-form-urlencoded')).status).toBe(200);
    await callOk(client, 'comms_send_message', { channel: 'whatsapp', to: '+15550100173', body: 'demo whatsapp' });
    // The demo providers report delivery as real ones would: sms and email delivered, whatsapp read.
    for (const [channel, final] of [['sms', 'delivered'], ['email', 'delivered'], ['whatsapp', 'read']]) {
      const message = await eventually(async () => {
        const { messages } = await callOk<Listed>(client, 'comms_get_messages', { channel, direction: 'outbound' });
        return messages.length === 1 && messages[0]!.status === final ? messages[0] : undefined;
      });
      expect(message.body).toBe(`demo ${channel}`);
    }
  });

  it('receives signed demo webhooks for sms and email, stores and forwards them; refuses unsigned ones', async () => {
    const sms = new URLSearchParams({ MessageSid: 'MOCKIN1', From: '+15550100174', To: '+15550100071', Body: 'inbound demo sms' }).toString();
    expect((await post(`/webhooks/${agent.agentId}/sms`, sms, 'application/x-www-form-urlencoded')).status).toBe(200);
    const email = JSON.stringify({ type: 'email.received', data: { providerMessageId: 'MOCKMAIL1', from: 'ada@example.com', to: ['demo@example.com'], subject: 'Hi', text: 'inbound demo email' } });
    expect((await post(`/webhooks/${agent.agentId}/email`, email, 'application/json')).status).toBe(200);
    const unsigned = await fetch(`${server.url}/webhooks/${agent.agentId}/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: email });
    expect(unsigned.status).toBe(403);
    const { messages } = await callOk<Listed>(client, 'comms_get_messages', { direction: 'inbound' });
    expect(messages.map((m) => m.body).sort()).toEqual(['hello there', 'inbound demo email', 'inbound demo sms']);
    const forwarded = await receiver.waitFor(3);
    expect(forwarded.map((c) => (JSON.parse(c.body) as { data: { channel: string } }).data.channel).sort()).toEqual(['email', 'sms', 'whatsapp']);
  });

  it('leaves a voice message and completes the call', async () => {
    const placed = await callOk<{ callId: string }>(client, 'comms_send_voice_message', { to: '+15550100175', text: 'A demo voice message.' });
    const done = await eventually(async () => {
      const call = await callOk<{ status: string; durationSeconds: number | null }>(client, 'comms_get_call', { callId: placed.callId });
      return call.status === 'completed' ? call : undefined;
    });
    expect(done.durationSeconds).toBeGreaterThan(0);
  });

  it('shows the agent its own addresses', async () => {
    const me = await callOk<{ channels: Array<{ channel: string; address: string }> }>(client, 'comms_get_agent', {});
    expect(me.channels).toEqual(expect.arrayContaining([
      { channel: 'sms', address: '+15550100071' }, { channel: 'email', address: 'demo@example.com' }, { channel: 'whatsapp', address: '+15550100072' },
    ]));
  });
});
