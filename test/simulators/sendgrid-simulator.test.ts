import { Client } from '@sendgrid/client';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SendGridSimulator } from './sendgrid/sendgrid-simulator.js';
import { WebhookReceiver } from './shared/webhook-receiver.js';

const sim = new SendGridSimulator({ eventDelayMs: 1 });
const receiver = new WebhookReceiver();

function mailer(apiKey = sim.apiKey): MailService {
  const client = new Client();
  client.setApiKey(apiKey);
  client.setDefaultRequest('baseUrl', `${sim.baseUrl}/`);
  const service = new MailService();
  service.setClient(client);
  return service;
}

const base: MailDataRequired = { from: 'agent@example.com', to: 'ada@example.com', subject: 'Hi', text: 'Hello' };

async function errorsOf(promise: Promise<unknown>): Promise<{ status: number; errors: Array<{ field: string | null; message: string }> }> {
  try {
    await promise;
  } catch (err) {
    const { code, response } = err as { code: number; response: { body: { errors: Array<{ field: string | null; message: string }> } } };
    return { status: code, errors: response.body.errors };
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop()]);
});
beforeEach(async () => {
  await sim.settled();
  sim.reset();
  receiver.reset();
  sim.eventWebhookUrl = null;
});

describe('SendGrid simulator: Mail Send v3', () => {
  it('accepts the official client\'s mail: 202, an empty body and an X-Message-Id', async () => {
    const [response] = await mailer().send({ ...base, categories: ['c1'], customArgs: { ref: 'r1' } });
    expect(response.statusCode).toBe(202);
    expect(response.headers['x-message-id']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sim.mails[0]).toMatchObject({ from: 'agent@example.com', to: ['ada@example.com'], subject: 'Hi', text: 'Hello', categories: ['c1'], customArgs: { ref: 'r1' } });
  });

  it('refuses what SendGrid refuses, naming each field: bad addresses, repeated recipients, reserved headers, a wrong key', async () => {
    const invalid = await errorsOf(mailer().send({ ...base, to: 'not-an-address', cc: 'ada@example.com' }));
    expect(invalid.status).toBe(400);
    expect(invalid.errors.map((e) => e.field)).toEqual(['personalizations.0.to.0.email']);
    const repeated = await errorsOf(mailer().send({ ...base, cc: 'ada@example.com' }));
    expect(repeated.errors.map((e) => e.field)).toEqual(['personalizations.0']);
    const reserved = await errorsOf(mailer().send({ ...base, headers: { Subject: 'sneaky' } }));
    expect(reserved.errors.map((e) => e.field)).toEqual(['headers']);
    expect((await errorsOf(mailer('SG.wrong.key').send(base))).status).toBe(401);
    expect(sim.mails).toEqual([]);
  });
});

describe('SendGrid simulator: Event Webhook and Inbound Parse', () => {
  it('posts processed then delivered or bounce events per recipient, signed as SendGrid\'s own helper verifies', async () => {
    sim.eventWebhookUrl = `${receiver.baseUrl}/events`;
    await mailer().send({ ...base, to: ['ada@example.com', 'bounce@example.com'] });
    await sim.settled();
    const helper = new EventWebhook();
    const key = helper.convertPublicKeyToECDSA(sim.eventWebhookPublicKey);
    const batches = receiver.received.map((r) => {
      const verified = helper.verifySignature(key, r.rawBody, r.headers['x-twilio-email-event-webhook-signature'] ?? '', r.headers['x-twilio-email-event-webhook-timestamp'] ?? '');
      expect(verified).toBe(true);
      return (JSON.parse(r.rawBody) as Array<{ event: string; email: string }>).map((e) => `${e.email}:${e.event}`);
    });
    expect(batches).toEqual([['ada@example.com:processed', 'bounce@example.com:processed'], ['ada@example.com:delivered', 'bounce@example.com:bounce']]);
  });

  it('posts inbound mail as multipart form data, attachments byte for byte, with the parse URL\'s basic auth', async () => {
    receiver.reply = { status: 200, contentType: 'text/plain', body: 'ok' };
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const answer = await sim.injectInbound(`${receiver.baseUrl}/parse`, {
      from: 'ada@example.com', to: ['agent@example.com'], subject: 'Files', text: 'See attached',
      attachments: [{ filename: 'all.bin', contentType: 'application/octet-stream', content: bytes }],
    });
    expect(answer.status).toBe(200);
    const [post] = receiver.received;
    expect(post?.headers.authorization).toBe(`Basic ${Buffer.from(`${sim.parseCredentials.username}:${sim.parseCredentials.password}`).toString('base64')}`);
    expect(post?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const built = await sim.buildInbound(`${receiver.baseUrl}/parse`, {
      from: 'ada@example.com', to: ['agent@example.com'], subject: 'Files', text: 'See attached',
      attachments: [{ filename: 'all.bin', contentType: 'application/octet-stream', content: bytes }],
    });
    const form = await new Response(built.rawBytes, { headers: { 'content-type': built.headers['content-type'] ?? '' } }).formData();
    expect(form.get('subject')).toBe('Files');
    expect(JSON.parse(String(form.get('envelope')))).toEqual({ to: ['agent@example.com'], from: 'ada@example.com' });
    expect(form.get('attachments')).toBe('1');
    const file = form.get('attachment1') as Blob & { name: string };
    expect(file.name).toBe('all.bin');
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([...bytes]);
  });
});
