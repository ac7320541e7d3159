import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { twilioSms, vonageSms, type SmsProvider } from '../support/sms-providers.js';

const AGENT_NUMBER = '+15550100011';
const OTHER_NUMBER = '+15550100012';
const PERSON = '+15550100151';

interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; status: string; providerMessageId: string | null }> }

/**
 * One SMS journey, the same for every telephony provider: the agent sends, the provider reports delivery, the
 * person replies, and the reply reaches the agent — through each provider's own SDK, wire format and signatures.
 */
describe.each([
  ['twilio', () => twilioSms([AGENT_NUMBER, OTHER_NUMBER])],
  ['vonage', () => vonageSms([AGENT_NUMBER, OTHER_NUMBER])],
])('SMS end to end over %s', (_name, makeProvider: () => SmsProvider) => {
  const provider = makeProvider();
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string; callbackSecret: string };
  let other: { agentId: string; token: string };
  let client: Client;

  beforeAll(async () => {
    await Promise.all([provider.start(), receiver.start()]);
    server = await startTestServer({ telephony: provider.telephony() });
    agent = await server.createAgent({ name: 'Agent A', phone: AGENT_NUMBER, callbackUrl: receiver.url });
    other = await server.createAgent({ name: 'Agent B', phone: OTHER_NUMBER, callbackUrl: receiver.url });
    client = await connectHttpClient(server.url, agent.token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await Promise.all([provider.stop(), receiver.stop()]);
  });

  const stored = async (direction: 'inbound' | 'outbound', agentId = agent.agentId) =>
    (await server.app.runner.run('comms_get_messages', { kind: 'admin' }, { agentId, direction, limit: 100 }) as Listed).messages;

  it('sends an SMS from the agent\'s number, exactly as written, and records the provider\'s delivery receipt', async () => {
    const body = 'Your table for 2 is booked: Friday 19:30. Reply YES to confirm.';
    const sent = await callOk<{ messageId: string; providerMessageId: string; status: string }>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body });
    expect(provider.sent(sent.providerMessageId)).toEqual(expect.objectContaining({ from: AGENT_NUMBER, to: PERSON, body }));
    const delivered = await eventually(async () => (await stored('outbound')).find((m) => m.id === sent.messageId && m.status === 'delivered'));
    expect(delivered.providerMessageId).toBe(sent.providerMessageId);
  });

  it('stores a signed reply once, even redelivered, and forwards it signed to the agent', async () => {
    const before = receiver.received.length;
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const reply = { url, from: PERSON, to: AGENT_NUMBER, body: 'YES, see you Friday' };
    const first = await provider.inbound(reply);
    expect(first.status).toBe(200);
    expect(await provider.redeliver({ ...reply, providerMessageId: first.providerMessageId })).toBe(200);
    const replies = (await stored('inbound')).filter((m) => m.providerMessageId === first.providerMessageId);
    expect(replies).toEqual([expect.objectContaining({ from: PERSON, to: AGENT_NUMBER, body: 'YES, see you Friday', status: 'received' })]);

    const [forwarded] = (await receiver.waitFor(before + 1)).slice(before);
    const verified = new Webhook(agent.callbackSecret).verify(forwarded!.body, {
      'webhook-id': String(forwarded!.headers['webhook-id']),
      'webhook-timestamp': String(forwarded!.headers['webhook-timestamp']),
      'webhook-signature': String(forwarded!.headers['webhook-signature']),
    }) as { type: string; agentId: string; data: { id: string; body: string } };
    expect(verified).toMatchObject({ type: 'message.received', agentId: agent.agentId, data: { id: replies[0]!.id, body: 'YES, see you Friday' } });
  });

  it('routes replies posted to the URL shared by every agent by the number they were sent to', async () => {
    const url = `${server.url}/webhooks/sms`;
    const toOther = await provider.inbound({ url, from: PERSON, to: OTHER_NUMBER, body: 'For agent B' });
    const toAgent = await provider.inbound({ url, from: PERSON, to: AGENT_NUMBER, body: 'For agent A' });
    expect([toOther.status, toAgent.status]).toEqual([200, 200]);
    expect((await stored('inbound', other.agentId)).map((m) => m.body)).toContain('For agent B');
    expect((await stored('inbound')).map((m) => m.body)).toContain('For agent A');
    expect((await stored('inbound')).map((m) => m.body)).not.toContain('For agent B');
    const unknown = await provider.inbound({ url, from: PERSON, to: '+15550100099', body: 'For nobody' });
    expect(unknown.status).toBe(404);
  });

  it('refuses a forged signature on either URL with 403, storing nothing', async () => {
    const before = (await stored('inbound')).length;
    for (const url of [`${server.url}/webhooks/${agent.agentId}/sms`, `${server.url}/webhooks/sms`]) {
      expect((await provider.inbound({ url, from: PERSON, to: AGENT_NUMBER, body: 'forged', signature: 'forged' })).status).toBe(403);
    }
    expect((await stored('inbound')).length).toBe(before);
  });
});
