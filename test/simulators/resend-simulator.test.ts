import { Resend } from 'resend';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESEND_SPEC } from './resend/resend-openapi-spec.js';
import { ResendSimulator } from './resend/resend-simulator.js';
import { WebhookReceiver } from './resend/webhook-receiver.js';

const FROM = 'Agent <agent@example.com>';

const receiver = new WebhookReceiver();
let nowOffsetMs = 0;
const sim = new ResendSimulator({ eventDelayMs: 1, now: () => new Date(Date.now() + nowOffsetMs) });

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop()]);
});
beforeEach(() => {
  sim.reset();
  sim.webhookUrl = null;
  receiver.reset();
  nowOffsetMs = 0;
});

const client = (key = sim.apiKey) => new Resend(key, { baseUrl: sim.baseUrl });

async function raw(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method: init.method ?? 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

const minimal = { from: FROM, to: 'alice@example.com', subject: 'Hi', text: 'Hello' };

describe('Resend simulator: sending', () => {
  it('accepts an email from the SDK, answers a UUID and records it exactly', async () => {
    const { data, error } = await client().emails.send({
      from: FROM,
      to: ['alice@example.com', 'bob@example.com'],
      cc: 'carol@example.com',
      bcc: ['dave@example.com'],
      replyTo: 'replies@example.com',
      subject: 'Grüße ✓',
      text: 'plain',
      html: '<p>html</p>',
      headers: { 'X-Entity-Ref-ID': '42' },
      tags: [{ name: 'category', value: 'test' }],
      attachments: [{ filename: 'a.bin', content: Buffer.from([0, 1, 2, 255]) }, { filename: 'b.txt', content: 'aGk=', contentType: 'text/x-custom' }],
    });
    expect(error).toBeNull();
    expect(data?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sim.emails).toHaveLength(1);
    const email = sim.emails[0];
    expect(email).toMatchObject({
      id: data?.id, from: FROM, to: ['alice@example.com', 'bob@example.com'], cc: ['carol@example.com'],
      bcc: ['dave@example.com'], replyTo: ['replies@example.com'], subject: 'Grüße ✓', text: 'plain', html: '<p>html</p>',
      headers: { 'X-Entity-Ref-ID': '42' }, tags: [{ name: 'category', value: 'test' }], idempotencyKey: null, lastEvent: 'queued',
    });
    expect(email?.attachments.map((a) => [a.filename, a.contentType, [...a.content]])).toEqual([
      ['a.bin', 'application/octet-stream', [0, 1, 2, 255]],
      ['b.txt', 'text/x-custom', [...Buffer.from('hi')]],
    ]);
    expect(sim.specViolations).toEqual([]);
  });

  it('serves a sent email on GET /emails/{id}', async () => {
    const { data } = await client().emails.send({ ...minimal, to: ['alice@example.com'] });
    const fetched = await client().emails.get(data?.id ?? '');
    expect(fetched.error).toBeNull();
    expect(fetched.data).toMatchObject({
      object: 'email', id: data?.id, from: FROM, to: ['alice@example.com'], subject: 'Hi', text: 'Hello', html: null,
      cc: [], bcc: [], reply_to: [], last_event: 'queued',
    });
    expect(fetched.data?.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00$/);
    expect((await client().emails.get('4ef9a417-02e9-4d39-ad75-9611e0fcc33c')).error).toMatchObject({ statusCode: 404, name: 'not_found' });
    expect((await client().emails.get('not-a-uuid')).error).toMatchObject({ statusCode: 422, name: 'invalid_parameter' });
  });

  it('refuses a missing or wrong API key the way Resend does', async () => {
    const missing = await raw('/emails', { body: minimal, headers: { authorization: '' } });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ statusCode: 401, name: 'missing_api_key', message: expect.any(String) });
    const { error } = await client('re_wrong_key').emails.send(minimal);
    expect(error).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
    expect(sim.emails).toEqual([]);
  });

  it('validates the body as Resend does: required fields, types and unknown fields are 422s', async () => {
    const noTo = await raw('/emails', { body: { from: FROM, subject: 'x', text: 'y' } });
    expect(noTo.status).toBe(422);
    expect(noTo.json).toMatchObject({ statusCode: 422, name: 'missing_required_field', message: 'Missing `to` field.' });
    const badType = await raw('/emails', { body: { ...minimal, subject: 5 } });
    expect(badType.json).toMatchObject({ statusCode: 422, name: 'validation_error' });
    const unknown = await raw('/emails', { body: { ...minimal, priority: 'high' } });
    expect(unknown.json).toMatchObject({ statusCode: 422, name: 'validation_error', message: 'Invalid fields: `priority`.' });
    const unknownNested = await raw('/emails', { body: { ...minimal, attachments: [{ filename: 'a.txt', content: 'aGk=', encoding: 'base64' }] } });
    expect(unknownNested.status).toBe(422);
    expect(sim.emails).toEqual([]);
  });

  it('records what Resend\'s published OpenAPI document does not allow as spec violations', async (ctx) => {
    if (!RESEND_SPEC.found) ctx.skip(RESEND_SPEC.reason);
    await raw('/emails', { body: { from: FROM, subject: 'x', text: 'y' } });
    await raw('/emails', { body: { ...minimal, subject: 5 } });
    await raw('/emails', { body: { ...minimal, priority: 'high' } });
    await raw('/emails', { body: { ...minimal, attachments: [{ filename: 'a.txt', content: 'aGk=', encoding: 'base64' }] } });
    await client().emails.send(minimal, { idempotencyKey: 'k'.repeat(257) });
    await raw('/mails', { body: minimal });
    await client().emails.receiving.get('nope');
    expect(sim.specViolations.map((v) => [v.location, v.parameter, v.problem])).toEqual([
      ['body', '/to', 'required field is missing'],
      ['body', '/subject', 'must be string'],
      ['body', '/priority', 'not a declared field of this operation'],
      ['body', '/attachments/0/encoding', 'not a declared field of this operation'],
      ['header', 'Idempotency-Key', 'longer than 256 characters'],
      ['path', '/mails', 'no such path in the spec'],
      ['path', 'email_id', 'not a UUID'],
    ]);
  });

  it('refuses invalid addresses and a mail without html or text, which the spec alone allows', async () => {
    const badTo = await raw('/emails', { body: { ...minimal, to: ['alice@example.com', 'not-an-address'] } });
    expect(badTo.status).toBe(422);
    expect(badTo.json).toMatchObject({ name: 'validation_error', message: expect.stringContaining('Invalid `to` field') });
    const badCc = await raw('/emails', { body: { ...minimal, cc: 'Carol <carol@>' } });
    expect(badCc.json).toMatchObject({ name: 'validation_error', message: expect.stringContaining('`cc`') });
    const badFrom = await raw('/emails', { body: { ...minimal, from: 'agent at example.com' } });
    expect(badFrom.json).toMatchObject({ statusCode: 422, name: 'invalid_from_address' });
    const noBody = await raw('/emails', { body: { from: FROM, to: 'alice@example.com', subject: 'x' } });
    expect(noBody.json).toMatchObject({ statusCode: 422, name: 'validation_error', message: 'Missing `html` or `text` field.' });
    const badAttachment = await raw('/emails', { body: { ...minimal, attachments: [{ filename: 'a.txt' }] } });
    expect(badAttachment.json).toMatchObject({ statusCode: 422, name: 'invalid_attachment' });
    expect(sim.specViolations).toEqual([]);
    expect(sim.emails).toEqual([]);
  });

  it('honours Idempotency-Key: same payload → same id once; other payload → 409; after 24 hours → a new email', async () => {
    const first = await client().emails.send(minimal, { idempotencyKey: 'order-1' });
    const again = await client().emails.send({ ...minimal }, { idempotencyKey: 'order-1' });
    expect(again.data?.id).toBe(first.data?.id);
    expect(sim.emails).toHaveLength(1);
    const other = await client().emails.send({ ...minimal, subject: 'Changed' }, { idempotencyKey: 'order-1' });
    expect(other.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
    expect(sim.emails.map((e) => e.idempotencyKey)).toEqual(['order-1']);
    nowOffsetMs = 24 * 60 * 60 * 1000 + 1000;
    const later = await client().emails.send(minimal, { idempotencyKey: 'order-1' });
    expect(later.data?.id).not.toBe(first.data?.id);
    const tooLong = await client().emails.send(minimal, { idempotencyKey: 'k'.repeat(257) });
    expect(tooLong.error).toMatchObject({ statusCode: 400, name: 'invalid_idempotency_key' });
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    expect((await raw('/mails', { body: minimal })).json).toMatchObject({ statusCode: 404, name: 'not_found' });
    expect((await raw('/emails/receiving/4ef9a417-02e9-4d39-ad75-9611e0fcc33c', { method: 'DELETE' })).json).toMatchObject({ statusCode: 405 });
  });
});

describe('Resend simulator: faults', () => {
  it('plays 500 once, then answers normally', async () => {
    sim.failNext({ status: 500 });
    expect((await client().emails.send(minimal)).error).toMatchObject({ statusCode: 500, name: 'internal_server_error' });
    expect((await client().emails.send(minimal)).error).toBeNull();
    expect(sim.emails).toHaveLength(1);
    expect(sim.requests).toHaveLength(2);
  });

  it('plays 429 with Retry-After and Resend\'s rate-limit headers', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 7 });
    const answer = await client().emails.send(minimal);
    expect(answer.error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded' });
    expect(answer.headers).toMatchObject({ 'retry-after': '7', 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });
  });

  it('plays auth failures on demand', async () => {
    sim.failNext({ status: 403 });
    expect((await client().emails.send(minimal)).error).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
  });

  it('hangs a request until the client gives up, and drops a connection', async () => {
    sim.hangNext();
    const hung = await client().emails.send(minimal, { signal: AbortSignal.timeout(200) });
    expect(hung.error).toMatchObject({ statusCode: null, name: 'application_error' });
    sim.dropNext();
    const dropped = await client().emails.send(minimal);
    expect(dropped.error).toMatchObject({ statusCode: null, name: 'application_error' });
    expect(sim.emails).toEqual([]);
  });
});

describe('Resend simulator: receiving', () => {
  it('stores an inbound email, posts a Svix-signed email.received and serves it on the receiving API', async () => {
    const answer = await sim.injectInbound({
      url: `${receiver.baseUrl}/webhooks/email`,
      from: 'Customer <customer@example.com>',
      to: ['agent@example.com'],
      cc: ['team@example.com'],
      subject: 'Question',
      text: 'Is it ready?',
      html: '<p>Is it ready?</p>',
      attachments: [{ filename: 'photo.png', content: Uint8Array.from([137, 80, 78, 71]) }],
    });
    expect(answer.status).toBe(200);
    const [webhook] = receiver.received;
    expect(webhook?.headers).toMatchObject({ 'content-type': 'application/json', 'svix-id': expect.stringMatching(/^msg_/) });
    const verified = client().webhooks.verify({
      payload: webhook?.rawBody ?? '',
      headers: { id: webhook?.headers['svix-id'] ?? '', timestamp: webhook?.headers['svix-timestamp'] ?? '', signature: webhook?.headers['svix-signature'] ?? '' },
      webhookSecret: sim.webhookSecret,
    });
    expect(verified).toMatchObject({
      type: 'email.received',
      data: {
        email_id: answer.emailId, from: 'Customer <customer@example.com>', to: ['agent@example.com'], cc: ['team@example.com'], bcc: [],
        subject: 'Question', message_id: expect.stringMatching(/^<.+@mail\.example\.com>$/),
        attachments: [{ id: expect.any(String), filename: 'photo.png', content_type: 'image/png', content_disposition: 'attachment' }],
      },
    });

    const fetched = await client().emails.receiving.get(answer.emailId);
    expect(fetched.error).toBeNull();
    expect(fetched.data).toMatchObject({
      object: 'email', id: answer.emailId, from: 'Customer <customer@example.com>', to: ['agent@example.com'], cc: ['team@example.com'],
      subject: 'Question', text: 'Is it ready?', html: '<p>Is it ready?</p>',
      attachments: [{ filename: 'photo.png', content_type: 'image/png', size: 4, content_disposition: 'attachment' }],
    });
    expect(fetched.data?.headers).toMatchObject({ subject: 'Question', 'mime-version': '1.0' });
    expect((await client().emails.receiving.get('4ef9a417-02e9-4d39-ad75-9611e0fcc33c')).error).toMatchObject({ statusCode: 404 });
    expect((await client().emails.receiving.get('nope')).error).toMatchObject({ statusCode: 422, name: 'invalid_parameter' });
  });

  it('signs forged, stale, multiple and missing signatures as asked', () => {
    const verify = (headers: Record<string, string>, body: string) => new Webhook(sim.webhookSecret).verify(body, {
      'webhook-id': headers['svix-id'] ?? '', 'webhook-timestamp': headers['svix-timestamp'] ?? '', 'webhook-signature': headers['svix-signature'] ?? '',
    });
    const build = (signature: 'valid' | 'forged' | 'stale' | 'multiple' | 'missing') =>
      sim.buildInbound({ url: 'https://comms.example.com/webhooks/email', from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't', signature }).webhook;
    const valid = build('valid');
    expect(() => verify(valid.headers, valid.rawBody)).not.toThrow();
    expect(() => verify(valid.headers, `${valid.rawBody} `)).toThrow();
    const forged = build('forged');
    expect(() => verify(forged.headers, forged.rawBody)).toThrow(/No matching signature/);
    const stale = build('stale');
    expect(() => verify(stale.headers, stale.rawBody)).toThrow(/too old/);
    const multiple = build('multiple');
    expect(multiple.headers['svix-signature']?.split(' ')).toHaveLength(2);
    expect(() => verify(multiple.headers, multiple.rawBody)).not.toThrow();
    expect(build('missing').headers['svix-signature']).toBeUndefined();
  });
});

describe('Resend simulator: delivery events', () => {
  it('reports sent and delivered to the configured webhook URL, signed', async () => {
    sim.webhookUrl = `${receiver.baseUrl}/webhooks/email`;
    const { data } = await client().emails.send(minimal);
    await sim.settled();
    expect(sim.webhookDeliveries.map((d) => [d.type, d.status])).toEqual([['email.sent', 200], ['email.delivered', 200]]);
    const delivered = JSON.parse(receiver.received[1]?.rawBody ?? '{}') as { type: string; data: Record<string, unknown> };
    expect(delivered).toMatchObject({ type: 'email.delivered', data: { email_id: data?.id, from: FROM, to: ['alice@example.com'], subject: 'Hi' } });
    expect((await client().emails.get(data?.id ?? '')).data?.last_event).toBe('delivered');
  });

  it('bounces and complains for Resend\'s test recipients', async () => {
    sim.webhookUrl = `${receiver.baseUrl}/webhooks/email`;
    await client().emails.send({ ...minimal, to: 'bounced@resend.dev' });
    await client().emails.send({ ...minimal, to: 'complained@resend.dev' });
    await sim.settled();
    const types = sim.webhookDeliveries.map((d) => `${JSON.parse(d.rawBody).data.to[0] as string}:${d.type}`).sort();
    expect(types).toEqual([
      'bounced@resend.dev:email.bounced', 'bounced@resend.dev:email.sent',
      'complained@resend.dev:email.complained', 'complained@resend.dev:email.delivered', 'complained@resend.dev:email.sent',
    ]);
    const bounce = sim.webhookDeliveries.find((d) => d.type === 'email.bounced');
    expect(JSON.parse(bounce?.rawBody ?? '{}').data.bounce).toMatchObject({ type: 'Permanent', subType: 'General' });
  });

  it('emits any event on demand, and records receivers that fail', async () => {
    const { data } = await client().emails.send(minimal);
    receiver.reply = { status: 500, contentType: 'text/plain', body: 'nope' };
    const answer = await sim.emitEvent({ emailId: data?.id ?? '', type: 'email.delivery_delayed', url: `${receiver.baseUrl}/hook` });
    expect(answer.status).toBe(500);
    expect(sim.webhookDeliveries.at(-1)).toMatchObject({ type: 'email.delivery_delayed', status: 500, error: null });
    expect(sim.emails[0]?.lastEvent).toBe('delivery_delayed');
    receiver.reply = { status: 200, contentType: 'application/json', body: '{"ok":true}' };
  });
});
