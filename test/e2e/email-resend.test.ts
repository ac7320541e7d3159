import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';

const AGENT_ADDRESS = 'agent@example.com';
const PERSON = 'ada@example.com';

interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; status: string; providerMessageId: string | null; metadata: Record<string, unknown> }> }

describe('Email end to end: MCP client, Resend adapter, simulator', () => {
  const sim = new ResendSimulator({ eventDelayMs: 5 });
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let client: Client;
  const webhookUrl = (): string => `${server.url}/webhooks/${agent.agentId}/email`;

  beforeAll(async () => {
    await sim.start();
    await receiver.start();
    server = await startTestServer({
      extra: {
        email: { use: 'resend', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: 1500 } },
        storage: { use: 'local' },
      },
    });
    agent = await server.createAgent({ name: 'Mail agent', email: 'Agent@Example.com', callbackUrl: receiver.url });
    sim.webhookUrl = webhookUrl();
    client = await connectHttpClient(server.url, agent.token);
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await receiver.stop();
    await sim.stop();
  });

  const messages = async (): Promise<Listed['messages']> => (await callOk<Listed>(client, 'comms_get_messages', { channel: 'email', limit: 100 })).messages;

  it('sends from the agent\'s own address with cc, bcc, reply-to, html, text and an attachment; then sees it delivered', async () => {
    const pdf = Buffer.from('%PDF-1.4 tiny test file');
    const sent = await callOk<{ messageId: string; providerMessageId: string; from: string; to: string }>(client, 'comms_send_message', {
      channel: 'email', to: [PERSON, 'bob@example.com'], cc: ['carol@example.com'], bcc: ['dave@example.com'], replyTo: 'support@example.com',
      subject: 'Your appointment', text: 'See you Tuesday.', html: '<p>See you <b>Tuesday</b>.</p>',
      attachments: [{ filename: 'invite.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
      idempotencyKey: 'appt-1',
    });
    expect(sent.from).toBe(AGENT_ADDRESS);
    const far = sim.emails.find((e) => e.id === sent.providerMessageId);
    expect(far).toMatchObject({
      from: AGENT_ADDRESS, to: [PERSON, 'bob@example.com'], cc: ['carol@example.com'], bcc: ['dave@example.com'], replyTo: ['support@example.com'],
      subject: 'Your appointment', text: 'See you Tuesday.', html: '<p>See you <b>Tuesday</b>.</p>',
    });
    expect(far?.idempotencyKey).toBe(`${agent.agentId}:appt-1`);
    expect(Buffer.from(far!.attachments[0]!.content).equals(pdf)).toBe(true);
    expect(sim.specViolations).toEqual([]);
    const delivered = await eventually(async () => (await messages()).find((m) => m.id === sent.messageId && m.status === 'delivered'));
    expect(delivered.metadata).toMatchObject({ subject: 'Your appointment', cc: ['carol@example.com'] });

    const again = await callOk<{ messageId: string; idempotentReplay: boolean }>(client, 'comms_send_message', {
      channel: 'email', to: [PERSON, 'bob@example.com'], cc: ['carol@example.com'], bcc: ['dave@example.com'], replyTo: 'support@example.com',
      subject: 'Your appointment', text: 'See you Tuesday.', html: '<p>See you <b>Tuesday</b>.</p>',
      attachments: [{ filename: 'invite.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
      idempotencyKey: 'appt-1',
    });
    expect(again).toMatchObject({ messageId: sent.messageId, idempotentReplay: true });
    expect(sim.emails.filter((e) => e.subject === 'Your appointment')).toHaveLength(1);
  });

  it('attaches a stored file by its storage key, with its exact bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    // An agent's files live under agents/<agentId>/ (put there by the operator, or by the server itself).
    const key = `agents/${agent.agentId}/reports/week-47.bin`;
    await server.app.ports.storage!.port.put(key, bytes, 'application/octet-stream');
    const sent = await callOk<{ providerMessageId: string }>(client, 'comms_send_message', {
      channel: 'email', to: PERSON, subject: 'Weekly report', text: 'Attached.', attachments: [{ filename: 'week-47.bin', storageKey: key }],
    });
    const far = sim.emails.find((e) => e.id === sent.providerMessageId)!;
    expect(far.attachments[0]).toMatchObject({ filename: 'week-47.bin', contentType: 'application/octet-stream' });
    expect(Buffer.from(far.attachments[0]!.content).equals(bytes)).toBe(true);
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 'x', text: 'x', attachments: [{ filename: 'a', storageKey: 'nope/missing.bin' }] })).code).toBe('NOT_FOUND');
  });

  it('marks a bounce as undelivered', async () => {
    const sent = await callOk<{ messageId: string }>(client, 'comms_send_message', { channel: 'email', to: 'bounced@resend.dev', subject: 'Hello', text: 'Hi' });
    const bounced = await eventually(async () => (await messages()).find((m) => m.id === sent.messageId && ['undelivered', 'failed'].includes(m.status)));
    expect(bounced.status).toMatch(/undelivered|failed/);
  });

  it('stores a signed inbound email once (body fetched from the receiving API) and forwards it', async () => {
    const answer = await sim.injectInbound({ url: webhookUrl(), from: PERSON, to: [AGENT_ADDRESS], subject: 'Re: Your appointment', text: 'Tuesday works.', html: '<p>Tuesday works.</p>' });
    expect(answer.status).toBe(200);
    const inbound = (await messages()).filter((m) => m.direction === 'inbound');
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ from: PERSON, body: 'Tuesday works.', status: 'received', providerMessageId: answer.emailId });
    expect(inbound[0]!.metadata).toMatchObject({ subject: 'Re: Your appointment' });
    expect(sim.requests.some((r) => r.path === `/emails/receiving/${answer.emailId}`)).toBe(true);
    const last = sim.webhookDeliveries.at(-1)!;
    expect((await fetch(last.url, { method: 'POST', headers: last.headers, body: last.rawBody })).status).toBe(200);
    expect((await messages()).filter((m) => m.direction === 'inbound')).toHaveLength(1);
    await receiver.waitFor(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: 'message.received', data: { channel: 'email', from: PERSON } });
  });

  it('refuses forged, stale and missing Svix signatures with 403 and stores nothing', async () => {
    const before = (await messages()).length;
    for (const signature of ['forged', 'stale', 'missing'] as const) {
      const answer = await sim.injectInbound({ url: webhookUrl(), from: PERSON, to: [AGENT_ADDRESS], subject: signature, text: 'x', signature });
      expect(answer.status, signature).toBe(403);
    }
    const several = await sim.injectInbound({ url: webhookUrl(), from: PERSON, to: [AGENT_ADDRESS], subject: 'several signatures', text: 'ok', signature: 'multiple' });
    expect(several.status).toBe(200);
    expect((await messages()).length).toBe(before + 1);
  });

  it('rejects bad email input and maps provider failures to codes', async () => {
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: 'not-an-address', subject: 's', text: 't' })).code).toBe('INVALID_EMAIL_ADDRESS');
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, text: 't' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 's' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 's', text: 't', body: 'sms field' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 's', text: 't', attachments: [{ filename: 'a.txt', contentBase64: '***' }] })).code).toBe('INVALID_INPUT');
    sim.failNext({ status: 500 });
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 'outage', text: 't' })).code).toBe('PROVIDER_UNAVAILABLE');
    sim.failNext({ status: 429, retryAfterSeconds: 2 });
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 'limited', text: 't' })).code).toBe('RATE_LIMITED');
    sim.failNext({ status: 401 });
    expect((await callErr(client, 'comms_send_message', { channel: 'email', to: PERSON, subject: 'auth', text: 't' })).code).toBe('PROVIDER_AUTH_FAILED');
    const stored = await messages();
    for (const subject of ['outage', 'limited', 'auth']) expect(stored.find((m) => m.metadata.subject === subject)?.status, subject).toBe('failed');
  });

  it('still sends SMS through the demo provider alongside email', async () => {
    const smsAgent = await server.createAgent({ name: 'Both', phone: '+15550100041', email: 'both@example.com' });
    const both = await connectHttpClient(server.url, smsAgent.token);
    try {
      expect((await callOk<{ status: string }>(both, 'comms_send_message', { channel: 'sms', to: '+15550100142', body: 'hi' })).status).toBe('queued');
      expect((await callOk<{ from: string }>(both, 'comms_send_message', { channel: 'email', to: PERSON, subject: 'hi', text: 'hi' })).from).toBe('both@example.com');
    } finally {
      await both.close();
    }
  });
});
