import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simulatorClient } from './twilio/simulator-http-client.js';
import { TwilioSimulator } from './twilio/twilio-simulator.js';
import { WebhookRecorder } from './twilio/webhook-recorder.js';

const OWNED = '+15550100';
const OTHER = '+15550101';

const sim = new TwilioSimulator({ ownedNumbers: [OWNED, '+15550102'], callbackDelayMs: 1 });
const receiver = new WebhookRecorder();

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop()]);
});
beforeEach(() => {
  sim.reset();
  receiver.reset();
});

const client = () => simulatorClient(sim.baseUrl, sim.accountSid, sim.authToken, 500);
const messagesUrl = () => `${sim.baseUrl}/2010-04-01/Accounts/${sim.accountSid}/Messages.json`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function rawCreate(form: Record<string, string | string[]>, authorization = basic(sim.accountSid, sim.authToken)) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
  const response = await fetch(messagesUrl(), {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

async function caught(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('Twilio simulator: Messages API', () => {
  it('accepts a message from the SDK and answers the snake_case Message resource', async () => {
    const created = await client().messages.create({ from: OWNED, to: OTHER, body: 'Hello from the simulator' });
    expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(created).toMatchObject({
      accountSid: sim.accountSid, from: OWNED, to: OTHER, body: 'Hello from the simulator', status: 'queued',
      direction: 'outbound-api', numSegments: '1', numMedia: '0', price: null, priceUnit: 'USD', errorCode: null,
      errorMessage: null, apiVersion: '2010-04-01',
    });
    expect(created.dateCreated).toBeInstanceOf(Date);
    expect(created.uri).toBe(`/2010-04-01/Accounts/${sim.accountSid}/Messages/${created.sid}.json`);
    expect(sim.messages.map((m) => [m.sid, m.from, m.to, m.body])).toEqual([[created.sid, OWNED, OTHER, 'Hello from the simulator']]);
    expect(sim.specViolations).toEqual([]);
  });

  it('answers raw requests with RFC 2822 dates, 201 and JSON', async () => {
    const { status, json } = await rawCreate({ From: OWNED, To: OTHER, Body: 'x'.repeat(161), MediaUrl: ['https://example.com/a.png', 'https://example.com/b.png'] });
    expect(status).toBe(201);
    expect(json.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(json).toMatchObject({ num_segments: '2', num_media: '2', price: null, price_unit: 'USD', status: 'queued' });
    expect(json.subresource_uris).toEqual({ media: `/2010-04-01/Accounts/${sim.accountSid}/Messages/${String(json.sid)}/Media.json` });
    expect(sim.messages[0]?.mediaUrls).toEqual(['https://example.com/a.png', 'https://example.com/b.png']);
  });

  it('fetches and lists messages through the SDK', async () => {
    const a = await client().messages.create({ from: OWNED, to: OTHER, body: 'one' });
    const b = await client().messages.create({ from: OWNED, to: '+15550103', body: 'two' });
    expect((await client().messages(a.sid).fetch()).body).toBe('one');
    const listed = await client().messages.list({ to: '+15550103' });
    expect(listed.map((m) => m.sid)).toEqual([b.sid]);
    const all = await client().messages.list({ pageSize: 1 });
    expect(all.map((m) => m.sid)).toEqual([b.sid, a.sid]);
    const missing = await caught(client().messages('SM00000000000000000000000000000000').fetch());
    expect(missing).toMatchObject({ status: 404, code: 20404 });
    expect(sim.specViolations).toEqual([]);
  });

  it('refuses wrong credentials with Twilio\'s 20003 body', async () => {
    const { status, json, headers } = await rawCreate({ From: OWNED, To: OTHER, Body: 'hi' }, basic(sim.accountSid, 'wrong'));
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toContain('Basic');
    expect(json).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const noAuth = await fetch(messagesUrl(), { method: 'POST' });
    expect(noAuth.status).toBe(401);
    const sdk = await caught(twilio(sim.accountSid, 'wrong-token', { httpClient: client().httpClient }).messages.create({ from: OWNED, to: OTHER, body: 'x' }));
    expect(sdk).toMatchObject({ status: 401, code: 20003 });
    expect(sim.messages).toEqual([]);
  });

  it.each([
    ['missing To', { From: OWNED, Body: 'hi' }, 21604],
    ['To not E.164', { From: OWNED, To: '555-0101', Body: 'hi' }, 21211],
    ['From missing', { To: OTHER, Body: 'hi' }, 21603],
    ['From not owned', { From: '+15550199', To: OTHER, Body: 'hi' }, 21606],
    ['no Body, MediaUrl or ContentSid', { From: OWNED, To: OTHER }, 21602],
    ['Body over 1600 characters', { From: OWNED, To: OTHER, Body: 'a'.repeat(1601) }, 21617],
    ['Twilio\'s invalid magic number', { From: OWNED, To: '+15005550001', Body: 'hi' }, 21211],
    ['Twilio\'s unreachable magic number', { From: OWNED, To: '+15005550009', Body: 'hi' }, 21614],
  ])('refuses %s with Twilio error %i', async (_case, form, code) => {
    const { status, json } = await rawCreate(form);
    expect(status).toBe(400);
    expect(json).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
    expect(typeof json.message).toBe('string');
    expect(sim.messages).toEqual([]);
  });

  it('accepts media-only messages and Messaging Service senders', async () => {
    expect((await rawCreate({ From: OWNED, To: OTHER, MediaUrl: 'https://example.com/cat.jpg' })).status).toBe(201);
    const viaService = await rawCreate({ MessagingServiceSid: 'MG00000000000000000000000000000001', To: OTHER, Body: 'hi' });
    expect(viaService.status).toBe(201);
    expect(viaService.json).toMatchObject({ from: OWNED, messaging_service_sid: 'MG00000000000000000000000000000001' });
  });

  it('records parameters the OpenAPI spec does not declare, and malformed values', async () => {
    await rawCreate({ From: OWNED, To: OTHER, Body: 'hi', Foo: 'bar', ProvideFeedback: 'yes', RiskCheck: 'maybe' });
    expect(sim.specViolations.map((v) => [v.operationId, v.parameter])).toEqual([
      ['CreateMessage', 'Foo'], ['CreateMessage', 'ProvideFeedback'], ['CreateMessage', 'RiskCheck'],
    ]);
  });

  it('records every request with method, path, params and headers', async () => {
    await client().messages.create({ from: OWNED, to: OTHER, body: 'hi' });
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({
      method: 'POST', path: `/2010-04-01/Accounts/${sim.accountSid}/Messages.json`, params: { From: OWNED, To: OTHER, Body: 'hi' },
    });
    expect(sim.requests[0]?.headers['content-type']).toContain('application/x-www-form-urlencoded');
  });
});

describe('Twilio simulator: status callbacks', () => {
  it('reports queued, sent, delivered to StatusCallback, each signed for the exact URL', async () => {
    const callbackUrl = `${receiver.baseUrl}/webhooks/twilio/status?agent=agt_1`;
    const created = await client().messages.create({ from: OWNED, to: OTHER, body: 'track me', statusCallback: callbackUrl });
    await sim.settled();
    expect(receiver.received.map((r) => r.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
    for (const hook of receiver.received) {
      expect(hook.url).toBe(callbackUrl);
      expect(hook.params).toMatchObject({ MessageSid: created.sid, SmsSid: created.sid, AccountSid: sim.accountSid, From: OWNED, To: OTHER, ApiVersion: '2010-04-01' });
      expect(hook.params.ErrorCode).toBeUndefined();
      expect(twilio.validateRequest(sim.authToken, hook.headers['x-twilio-signature'] ?? '', hook.url, hook.params)).toBe(true);
      expect(twilio.validateRequest('other-token', hook.headers['x-twilio-signature'] ?? '', hook.url, hook.params)).toBe(false);
    }
    expect(sim.callbacks.map((c) => [c.messageStatus, c.status])).toEqual([['queued', 200], ['sent', 200], ['delivered', 200]]);
    expect((await client().messages(created.sid).fetch()).status).toBe('delivered');
  });

  it('ends in undelivered with ErrorCode 30003 when delivery is set to fail', async () => {
    sim.failDelivery();
    const created = await client().messages.create({ from: OWNED, to: OTHER, body: 'doomed', statusCallback: `${receiver.baseUrl}/s` });
    await sim.settled();
    expect(receiver.received.map((r) => [r.params.MessageStatus, r.params.ErrorCode])).toEqual([
      ['queued', undefined], ['sent', undefined], ['undelivered', '30003'],
    ]);
    expect(await client().messages(created.sid).fetch()).toMatchObject({ status: 'undelivered', errorCode: 30003 });
  });

  it('records the receiver\'s answer, including failures', async () => {
    receiver.reply = { status: 500, contentType: 'text/plain', body: 'nope' };
    try {
      await client().messages.create({ from: OWNED, to: OTHER, body: 'x', statusCallback: `${receiver.baseUrl}/s` });
      await client().messages.create({ from: OWNED, to: OTHER, body: 'y', statusCallback: 'http://127.0.0.1:9/unreachable' });
      await sim.settled();
    } finally {
      receiver.reply = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    }
    expect(sim.callbacks.filter((c) => c.url.endsWith('/s')).every((c) => c.status === 500)).toBe(true);
    expect(sim.callbacks.filter((c) => c.url.endsWith('/unreachable')).every((c) => c.status === null && c.error)).toBe(true);
  });
});

describe('Twilio simulator: inbound SMS', () => {
  it('POSTs a signed Twilio-shaped inbound form and returns the receiver\'s answer', async () => {
    const url = `${receiver.baseUrl}/webhooks/twilio/sms/agt_1`;
    const result = await sim.injectInboundSms({ url, from: OTHER, to: OWNED, body: 'Hi there', mediaUrls: ['https://example.com/m/1.jpg'] });
    expect(result.status).toBe(200);
    expect(result.body).toContain('<Response');
    expect(result.messageSid).toMatch(/^MM[0-9a-f]{32}$/);
    const hook = receiver.received[0];
    expect(hook?.params).toMatchObject({
      MessageSid: result.messageSid, SmsSid: result.messageSid, SmsMessageSid: result.messageSid, AccountSid: sim.accountSid,
      From: OTHER, To: OWNED, Body: 'Hi there', NumMedia: '1', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
      MediaUrl0: 'https://example.com/m/1.jpg', MediaContentType0: 'image/jpeg',
    });
    expect(twilio.validateRequest(sim.authToken, hook?.headers['x-twilio-signature'] ?? '', url, hook?.params ?? {})).toBe(true);
  });

  it('redelivers the same MessageSid and idempotency token', async () => {
    const url = `${receiver.baseUrl}/sms`;
    const first = await sim.injectInboundSms({ url, from: OTHER, to: OWNED, body: 'again' });
    const second = await sim.redeliverInboundSms(first.messageSid);
    expect(second.messageSid).toBe(first.messageSid);
    const [a, b] = receiver.received;
    expect(b?.rawBody).toBe(a?.rawBody);
    expect(b?.headers['i-twilio-idempotency-token']).toBe(a?.headers['i-twilio-idempotency-token']);
    expect(b?.headers['x-twilio-signature']).toBe(a?.headers['x-twilio-signature']);
  });

  it('can forge or omit the signature', async () => {
    const url = `${receiver.baseUrl}/sms`;
    await sim.injectInboundSms({ url, from: OTHER, to: OWNED, body: 'forged', signature: 'forged' });
    await sim.injectInboundSms({ url, from: OTHER, to: OWNED, body: 'unsigned', signature: 'missing' });
    const [forged, unsigned] = receiver.received;
    expect(forged?.headers['x-twilio-signature']).toBeTruthy();
    expect(twilio.validateRequest(sim.authToken, forged?.headers['x-twilio-signature'] ?? '', url, forged?.params ?? {})).toBe(false);
    expect(unsigned?.headers['x-twilio-signature']).toBeUndefined();
  });

  it('builds signed status callbacks for any message without sending them', () => {
    const hook = sim.buildStatusCallback({ url: 'https://comms.example.com/status', messageSid: 'SM0123', status: 'failed', errorCode: 30008, to: OTHER });
    expect(hook.params).toMatchObject({ MessageSid: 'SM0123', MessageStatus: 'failed', ErrorCode: '30008', To: OTHER, From: OWNED });
    expect(twilio.validateRequest(sim.authToken, hook.headers['x-twilio-signature'] ?? '', hook.url, hook.params)).toBe(true);
  });
});

describe('Twilio simulator: faults', () => {
  it.each([[500, 20500], [503, 20503]] as const)('answers %i with Twilio\'s error body', async (status, code) => {
    sim.failNext({ status });
    expect(await caught(client().messages.create({ from: OWNED, to: OTHER, body: 'x' }))).toMatchObject({ status, code });
    expect((await client().messages.create({ from: OWNED, to: OTHER, body: 'x' })).status).toBe('queued');
  });

  it('answers 429 with Retry-After, as many times as asked', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 7, times: 2 });
    const first = await rawCreate({ From: OWNED, To: OTHER, Body: 'x' });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.json).toMatchObject({ code: 20429, status: 429 });
    expect((await rawCreate({ From: OWNED, To: OTHER, Body: 'x' })).status).toBe(429);
    expect((await rawCreate({ From: OWNED, To: OTHER, Body: 'x' })).status).toBe(201);
    expect(sim.requests).toHaveLength(3);
  });

  it('hangs a request until the client times out', async () => {
    sim.hangNext();
    const err = await caught(client().messages.create({ from: OWNED, to: OTHER, body: 'x' }));
    expect(err.code).toBe('ECONNABORTED');
    expect(String(err.message)).toMatch(/timeout/);
    expect(sim.messages).toEqual([]);
  });

  it('drops the connection', async () => {
    sim.dropNext();
    const err = await caught(client().messages.create({ from: OWNED, to: OTHER, body: 'x' }));
    expect(err.code).toBe('ECONNRESET');
  });

  it('clears armed faults', async () => {
    sim.failNext({ status: 500, times: 5 });
    sim.clearFaults();
    expect((await client().messages.create({ from: OWNED, to: OTHER, body: 'x' })).status).toBe('queued');
  });

  it('stops even with a request hanging', async () => {
    const own = new TwilioSimulator();
    await own.start();
    own.hangNext();
    const pending = caught(simulatorClient(own.baseUrl, own.accountSid, own.authToken, 5000).messages.create({ from: '+15550100', to: OTHER, body: 'x' }));
    await expect.poll(() => own.requests.length).toBe(1);
    await own.stop();
    expect((await pending).code).toBe('ECONNRESET');
  });
});
