import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';

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

  it('lets the admin make a person reply (demo only): stored, forwarded, and the WhatsApp window opens', async () => {
    const admin = await connectHttpClient(server.url, ADMIN_TOKEN);
    try {
      expect((await admin.listTools()).tools.map((t) => t.name)).toContain('comms_demo_inbound');
      const before = receiver.received.length;
      expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: '+15550100176', body: 'not yet' })).code).toBe('TEMPLATE_REQUIRED');
      const stored = await callOk<{ id: string; direction: string; from: string; to: string }>(admin, 'comms_demo_inbound', {
        agentId: agent.agentId, channel: 'whatsapp', from: '+1 555 010 0176', body: 'hi, are you there?',
      });
      expect(stored).toMatchObject({ direction: 'inbound', from: '+15550100176', to: '+15550100072' });
      const [forwarded] = (await receiver.waitFor(before + 1)).slice(before);
      expect(JSON.parse(forwarded!.body)).toMatchObject({ type: 'message.received', data: { id: stored.id, body: 'hi, are you there?' } });
      await callOk(client, 'comms_send_message', { channel: 'whatsapp', to: '+15550100176', body: 'yes!' });
      const mail = await callOk<{ metadata: { subject: string } }>(admin, 'comms_demo_inbound', {
        agentId: agent.agentId, channel: 'email', from: 'ada@example.com', subject: 'Re: Demo', body: 'Thanks',
      });
      expect(mail.metadata.subject).toBe('Re: Demo');
      expect((await callErr(admin, 'comms_demo_inbound', { agentId: agent.agentId, channel: 'sms', from: '+1555', body: 'x' })).code).toBe('INVALID_PHONE_NUMBER');
      expect((await callErr(client, 'comms_demo_inbound', { agentId: agent.agentId, channel: 'sms', from: '+15550100177', body: 'x' })).code).toBe('FORBIDDEN');
    } finally {
      await admin.close();
    }
  });

  it('shows the agent its own addresses', async () => {
    const me = await callOk<{ channels: Array<{ channel: string; address: string }> }>(client, 'comms_get_agent', {});
    expect(me.channels).toEqual(expect.arrayContaining([
      { channel: 'sms', address: '+15550100071' }, { channel: 'email', address: 'demo@example.com' }, { channel: 'whatsapp', address: '+15550100072' },
    ]));
  });
});

describe('demo inbound outside demo mode', () => {
  const sim = new TwilioSimulator();
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());

  it('is not offered when no channel uses the demo adapter, and refuses a channel on a real provider', async () => {
    const real = await startTestServer({ telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl } } });
    const mixed = await startTestServer({ telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl } }, extra: { email: { use: 'mock' } } });
    try {
      const admin = await connectHttpClient(real.url, ADMIN_TOKEN);
      expect((await admin.listTools()).tools.map((t) => t.name)).not.toContain('comms_demo_inbound');
      await admin.close();
      const { agentId } = await mixed.createAgent({ name: 'Mixed', phone: '+15550100078' });
      const mixedAdmin = await connectHttpClient(mixed.url, ADMIN_TOKEN);
      expect((await callErr(mixedAdmin, 'comms_demo_inbound', { agentId, channel: 'sms', from: '+15550100178', body: 'x' })).code).toBe('CHANNEL_NOT_CONFIGURED');
      await mixedAdmin.close();
    } finally {
      await real.close();
      await mixed.close();
    }
  });
});

describe('demo inbound from the command line', { timeout: 180_000 }, () => {
  const receiver = new CallbackReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('stores the reply and forwards it to the agent\'s callback URL', async () => {
    const env = { COMMS_DATA_DIR: tempDir('agentos-demo-cli-'), COMMS_CONFIG: '', LOG_LEVEL: 'warn' };
    const created = await runCli(['agent', 'create', '--name', 'Demo CLI', '--phone', '+15550100079', '--callback-url', receiver.url, '--json'], env);
    const { agentId } = JSON.parse(created.stdout) as { agentId: string };
    const result = await runCli(['demo', 'inbound', '--agent', agentId, '--channel', 'sms', '--from', '+15550100179', '--body', 'a reply', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ channel: 'sms', direction: 'inbound', from: '+15550100179', to: '+15550100079', body: 'a reply' });
    const [forwarded] = await receiver.waitFor(1);
    expect(JSON.parse(forwarded!.body)).toMatchObject({ type: 'message.received', agentId, data: { body: 'a reply' } });
  });
});
