import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { resendEmail, sendGridEmail, smtpEmail, type EmailProvider } from '../support/email-providers.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const AGENT_ADDRESS = 'desk@example.com';
const PERSON = 'ada@example.com';

interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; status: string; metadata: Record<string, unknown> }> }

/**
 * One email journey, the same for every email provider: the agent sends with an attachment, the provider reports
 * delivery (a relay only that it took the mail), a person writes back, and the mail reaches the agent.
 */
describe.each([
  ['resend', resendEmail],
  ['smtp', smtpEmail],
  ['sendgrid', sendGridEmail],
])('email end to end over %s', (_name, makeProvider: () => EmailProvider) => {
  const provider = makeProvider();
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string; callbackSecret: string };
  let client: Client;

  beforeAll(async () => {
    await Promise.all([provider.start(), receiver.start()]);
    server = await startTestServer({ extra: { email: provider.email() } });
    agent = await server.createAgent({ name: 'Mail agent', email: AGENT_ADDRESS, callbackUrl: receiver.url });
    provider.connect(server, agent.agentId);
    client = await connectHttpClient(server.url, agent.token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await Promise.all([provider.stop(), receiver.stop()]);
  });

  const messages = async (): Promise<Listed['messages']> => (await callOk<Listed>(client, 'comms_get_messages', { channel: 'email', limit: 100 })).messages;

  it('sends from the agent\'s own address with an attachment, byte for byte, and records its delivery', async () => {
    const invoice = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);
    const sent = await callOk<{ messageId: string; from: string }>(client, 'comms_send_message', {
      channel: 'email', to: PERSON, subject: 'Your invoice', text: 'Attached, with thanks.',
      attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', contentBase64: invoice.toString('base64') }],
    });
    expect(sent.from).toBe(AGENT_ADDRESS);
    const far = provider.sent('Your invoice');
    expect(far).toMatchObject({ from: AGENT_ADDRESS, to: [PERSON], text: 'Attached, with thanks.' });
    expect(far?.attachments.map((a) => [a.filename, a.content.equals(invoice)])).toEqual([['invoice.pdf', true]]);
    await eventually(async () => (await messages()).find((m) => m.id === sent.messageId && m.status === provider.deliveredStatus));
  });

  it('stores mail from a person once, even redelivered, and forwards it signed to the agent', async () => {
    const before = receiver.received.length;
    const { redeliver } = await provider.receive(server, agent.agentId, { from: PERSON, to: AGENT_ADDRESS, subject: 'Re: Your invoice', text: 'Paid, thank you.' });
    const stored = await eventually(async () => (await messages()).find((m) => m.direction === 'inbound' && m.metadata.subject === 'Re: Your invoice'));
    expect(stored).toMatchObject({ from: PERSON, status: 'received' });
    expect(stored.body.trim()).toBe('Paid, thank you.');
    if (redeliver) expect(await redeliver()).toBe(200);
    expect((await messages()).filter((m) => m.metadata.subject === 'Re: Your invoice')).toHaveLength(1);

    const [forwarded] = (await receiver.waitFor(before + 1)).slice(before);
    const verified = new Webhook(agent.callbackSecret).verify(forwarded!.body, {
      'webhook-id': String(forwarded!.headers['webhook-id']),
      'webhook-timestamp': String(forwarded!.headers['webhook-timestamp']),
      'webhook-signature': String(forwarded!.headers['webhook-signature']),
    }) as { type: string; data: { id: string; channel: string } };
    expect(verified).toMatchObject({ type: 'message.received', data: { id: stored.id, channel: 'email' } });
  });
});
