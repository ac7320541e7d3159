import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentMp3 } from '../../adapters/audio/silent-mp3.js';
import { AudioFileServer, silentWav } from './twilio/audio-file-server.js';
import { RelayTestAgent } from './twilio/relay-test-agent.js';
import { simulatorClient } from './twilio/simulator-http-client.js';
import { CallNotConnectedError, TwilioSimulator, type IncomingCallInput } from './twilio/twilio-simulator.js';
import { TWILIO_SPEC } from './twilio/twilio-openapi-spec.js';
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

  it('filters a list by DateSent as Twilio does: a message has no date_sent until it goes out', async () => {
    const before = new Date(Date.now() - 60_000);
    // A simulator whose messages stay queued: never sent, so no DateSent filter finds them.
    const queuedOnly = new TwilioSimulator({ ownedNumbers: [OWNED], callbackStatuses: ['queued'] });
    await queuedOnly.start();
    try {
      const queuedClient = simulatorClient(queuedOnly.baseUrl, queuedOnly.accountSid, queuedOnly.authToken, 500);
      const queued = await queuedClient.messages.create({ from: OWNED, to: OTHER, body: 'not out yet' });
      await queuedOnly.settled();
      expect((await queuedClient.messages(queued.sid).fetch()).dateSent).toBeNull();
      expect(await queuedClient.messages.list({ to: OTHER, dateSentAfter: before })).toEqual([]);
      expect((await queuedClient.messages.list({ to: OTHER })).map((m) => m.sid)).toEqual([queued.sid]);
    } finally {
      await queuedOnly.stop();
    }
    const created = await client().messages.create({ from: OWNED, to: OTHER, body: 'out' });
    await sim.settled();
    expect((await client().messages(created.sid).fetch()).dateSent).toBeInstanceOf(Date);
    expect((await client().messages.list({ to: OTHER, dateSentAfter: before })).map((m) => m.sid)).toEqual([created.sid]);
    expect(await client().messages.list({ to: OTHER, dateSentBefore: before })).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await fetch(`${messagesUrl()}?DateSent=${today}`, { headers: { authorization: basic(sim.accountSid, sim.authToken) } });
    expect(((await byDay.json()) as { messages: Array<{ sid: string }> }).messages.map((m) => m.sid)).toEqual([created.sid]);
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

  it('records parameters the OpenAPI spec does not declare, and malformed values', async (ctx) => {
    if (!TWILIO_SPEC.found) ctx.skip(TWILIO_SPEC.reason);
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

describe('Twilio simulator: Calls API', () => {
  const audio = new AudioFileServer();
  let wavUrl: string;
  let mp3Url: string;
  const WAV = silentWav(1.5);
  // An ID3v2 tag, then one second of MPEG-2 Layer III frames.
  const MP3 = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10), silentMp3({ durationMs: 1008 })]);
  const statusUrl = () => `${receiver.baseUrl}/webhooks/twilio/call-status?agent=agt_1`;
  const playTwiml = (url: string, loop = 1) => `<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="${loop}">${url}</Play></Response>`;
  const callsUrl = () => `${sim.baseUrl}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`;
  const ALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

  async function rawCall(form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
    const response = await fetch(callsUrl(), {
      method: 'POST',
      headers: { authorization: basic(sim.accountSid, sim.authToken), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const callbackStatuses = () => receiver.received.filter((r) => r.url.includes('call-status')).map((r) => r.params.CallStatus);

  beforeAll(async () => {
    await audio.start();
    wavUrl = audio.serve('/audio/hello.wav', { contentType: 'audio/x-wav', body: WAV });
    mp3Url = audio.serve('/audio/hello.mp3', { contentType: 'audio/mpeg', body: MP3 });
  });
  afterAll(async () => {
    await audio.stop();
  });

  it('places a call from the SDK and answers the snake_case Call resource', async () => {
    const call = await client().calls.create({ from: OWNED, to: OTHER, twiml: playTwiml(wavUrl) });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call).toMatchObject({
      accountSid: sim.accountSid, from: OWNED, to: OTHER, status: 'queued', direction: 'outbound-api', duration: null,
      price: null, priceUnit: 'USD', apiVersion: '2010-04-01', fromFormatted: OWNED, startTime: null, endTime: null,
    });
    expect(call.dateCreated).toBeInstanceOf(Date);
    expect(call.uri).toBe(`/2010-04-01/Accounts/${sim.accountSid}/Calls/${call.sid}.json`);
    expect(sim.specViolations).toEqual([]);
    const raw = await rawCall({ From: OWNED, To: OTHER, Twiml: playTwiml(wavUrl) });
    expect(raw.status).toBe(201);
    expect(raw.json.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(raw.json).toMatchObject({ duration: null, price: null, price_unit: 'USD', status: 'queued', direction: 'outbound-api' });
  });

  it('plays the audio, reports initiated, ringing, in-progress and completed in order, signed, with the duration', async () => {
    const call = await client().calls.create({
      from: OWNED, to: OTHER, twiml: playTwiml(wavUrl, 2), statusCallback: statusUrl(),
      statusCallbackEvent: ALL_EVENTS, statusCallbackMethod: 'POST', timeout: 30,
    });
    await sim.settled();
    expect(sim.calls[0]?.played).toEqual([{ url: wavUrl, contentType: 'audio/x-wav', bytes: WAV.length, seconds: 1.5, times: 2 }]);
    expect(sim.playbackProblems).toEqual([]);
    const hooks = receiver.received;
    expect(hooks.map((h) => [h.params.CallStatus, h.params.SequenceNumber])).toEqual([
      ['initiated', '0'], ['ringing', '1'], ['in-progress', '2'], ['completed', '3'],
    ]);
    for (const hook of hooks) {
      expect(hook.url).toBe(statusUrl());
      expect(hook.params).toMatchObject({
        CallSid: call.sid, AccountSid: sim.accountSid, From: OWNED, To: OTHER, Direction: 'outbound-api',
        ApiVersion: '2010-04-01', CallbackSource: 'call-progress-events',
      });
      expect(hook.params.Timestamp).toMatch(/ \+0000$/);
      expect(twilio.validateRequest(sim.authToken, hook.headers['x-twilio-signature'] ?? '', hook.url, hook.params)).toBe(true);
    }
    expect(hooks.at(-1)?.params).toMatchObject({ CallDuration: '3', Duration: '1' });
    expect(hooks[0]?.params.CallDuration).toBeUndefined();
    expect(sim.callCallbacks.map((c) => [c.callStatus, c.status])).toEqual([
      ['initiated', 200], ['ringing', 200], ['in-progress', 200], ['completed', 200],
    ]);
    const fetched = await client().calls(call.sid).fetch();
    expect(fetched).toMatchObject({ status: 'completed', duration: '3', price: '-0.01400', priceUnit: 'USD' });
    expect(fetched.startTime).toBeInstanceOf(Date);
    expect(fetched.endTime).toBeInstanceOf(Date);
    expect(sim.specViolations).toEqual([]);
  });

  it('fetches the TwiML from Url with a signed POST, then downloads and plays an MP3 with an ID3 tag', async () => {
    receiver.reply = { status: 200, contentType: 'text/xml; charset=utf-8', body: playTwiml(mp3Url) };
    try {
      const twimlUrl = `${receiver.baseUrl}/voice/twiml?agent=agt_1`;
      const call = await client().calls.create({ from: OWNED, to: OTHER, url: twimlUrl });
      await sim.settled();
      const [request] = sim.voiceRequests;
      expect(request).toMatchObject({ callSid: call.sid, method: 'POST', status: 200 });
      const hook = receiver.received[0];
      expect(hook?.params).toMatchObject({
        CallSid: call.sid, AccountSid: sim.accountSid, From: OWNED, To: OTHER, CallStatus: 'in-progress', Direction: 'outbound-api',
      });
      expect(twilio.validateRequest(sim.authToken, hook?.headers['x-twilio-signature'] ?? '', twimlUrl, hook?.params ?? {})).toBe(true);
      expect(sim.calls[0]?.played).toEqual([{ url: mp3Url, contentType: 'audio/mpeg', bytes: MP3.length, seconds: 1.008, times: 1 }]);
      expect(sim.calls[0]).toMatchObject({ status: 'completed', durationSeconds: 2 });
    } finally {
      receiver.reply = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    }
  });

  it.each([
    ['μ-law WAV', 'audio/wav', silentWav(2, { mulaw: true }), 2],
    ['8-bit PCM WAV at 16 kHz', 'audio/wave', silentWav(0.25, { bits: 8, sampleRate: 16000 }), 0.25],
    ['MP3 without an ID3 tag', 'audio/mpeg', silentMp3({ durationMs: 2016, sampleRate: 16000, bitrateKbps: 32 }), 2.016],
  ])('plays a %s served as its type, for as long as its header or frames say', async (_case, contentType, body, seconds) => {
    const url = audio.serve(`/audio/ok-${Math.random().toString(36).slice(2)}`, { contentType, body });
    await client().calls.create({ from: OWNED, to: OTHER, twiml: playTwiml(url) });
    await sim.settled();
    expect(sim.playbackProblems).toEqual([]);
    expect(sim.calls[0]?.played).toEqual([{ url, contentType, bytes: body.length, seconds, times: 1 }]);
    expect(sim.calls[0]?.durationSeconds).toBe(Math.ceil(seconds));
  });

  it('fetches TwiML with GET when Method=GET, signing the full URL with the fields in the query', async () => {
    receiver.reply = { status: 200, contentType: 'application/xml', body: playTwiml(wavUrl) };
    try {
      const call = await client().calls.create({ from: OWNED, to: OTHER, url: `${receiver.baseUrl}/voice?agent=agt_2`, method: 'GET' });
      await sim.settled();
      const hook = receiver.received[0];
      expect(hook?.method).toBe('GET');
      expect(new URL(hook?.url ?? '').searchParams.get('CallSid')).toBe(call.sid);
      expect(twilio.validateRequest(sim.authToken, hook?.headers['x-twilio-signature'] ?? '', hook?.url ?? '', {})).toBe(true);
      expect(sim.calls[0]?.played.map((p) => p.url)).toEqual([wavUrl]);
    } finally {
      receiver.reply = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    }
  });

  it('records a TwiML URL that does not answer TwiML (12300) or fails (11200), and ends the call', async () => {
    receiver.reply = { status: 200, contentType: 'application/json', body: '{}' };
    try {
      await client().calls.create({ from: OWNED, to: OTHER, url: `${receiver.baseUrl}/voice-json` });
      await client().calls.create({ from: OWNED, to: OTHER, url: 'http://127.0.0.1:9/unreachable' });
      await sim.settled();
    } finally {
      receiver.reply = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    }
    expect(sim.twimlProblems.map((p) => p.errorCode).sort()).toEqual([11200, 12300]);
    expect(sim.calls.map((c) => [c.status, c.durationSeconds])).toEqual([['completed', 3], ['completed', 3]]);
  });

  it.each([
    ['text served as audio/mpeg', { contentType: 'audio/mpeg', body: Buffer.from('this is not an mp3, it is text') }, 11200],
    ['an MP3 served as audio/wav', { contentType: 'audio/wav', body: MP3 }, 11200],
    ['a float WAV', { contentType: 'audio/wav', body: floatWav() }, 11200],
    ['an HTML page', { contentType: 'text/html', body: Buffer.from('<html></html>') }, 13420],
    ['a 404', { contentType: 'text/plain', body: Buffer.from('gone'), status: 404 }, 11200],
  ])('does not play %s: a Twilio error, "an application error has occurred", then hang-up', async (_case, file, code) => {
    const url = audio.serve(`/audio/bad-${code}-${Math.random().toString(36).slice(2)}`, file);
    const call = await client().calls.create({ from: OWNED, to: OTHER, twiml: playTwiml(url), statusCallback: statusUrl() });
    await sim.settled();
    expect(sim.playbackProblems).toEqual([{ callSid: call.sid, url, errorCode: code, reason: expect.any(String) }]);
    expect(sim.calls[0]?.played).toEqual([]);
    // Answered, so Twilio ends it completed (after its 3-second error message), not failed.
    expect(receiver.received.map((h) => [h.params.CallStatus, h.params.CallDuration])).toEqual([['completed', '3']]);
  });

  it('reports a <Play> URL that is not absolute as 11100, and records TwiML it cannot parse as 12100', async () => {
    await client().calls.create({ from: OWNED, to: OTHER, twiml: '<Response><Play>hello.mp3</Play></Response>' });
    await client().calls.create({ from: OWNED, to: OTHER, twiml: '<Response><Play>unclosed</Response>' });
    await client().calls.create({ from: OWNED, to: OTHER, twiml: `<Response><Say loop="2">Hi &amp; bye</Say><Gather/><Pause length="2"/><Hangup/><Play>${wavUrl}</Play></Response>` });
    await sim.settled();
    expect(sim.playbackProblems.map((p) => p.errorCode)).toEqual([11100]);
    expect(sim.twimlProblems.map((p) => p.errorCode)).toEqual([12100, null]);
    expect(sim.calls[2]).toMatchObject({ said: ['Hi & bye', 'Hi & bye'], played: [], status: 'completed', durationSeconds: 4 });
  });

  it.each([
    ['missing To', { From: OWNED, Twiml: '<Response/>' }, 21201],
    ['To not E.164', { From: OWNED, To: '555-0101', Twiml: '<Response/>' }, 21211],
    ['missing From', { To: OTHER, Twiml: '<Response/>' }, 21213],
    ['From not E.164', { From: 'agent', To: OTHER, Twiml: '<Response/>' }, 21212],
    ['From not owned', { From: '+15550199', To: OTHER, Twiml: '<Response/>' }, 21210],
    ['no Url, Twiml or ApplicationSid', { From: OWNED, To: OTHER }, 21205],
    ['a relative Url', { From: OWNED, To: OTHER, Url: '/twiml' }, 21205],
    ['Twiml over 4000 characters', { From: OWNED, To: OTHER, Twiml: `<Response><Say>${'a'.repeat(4000)}</Say></Response>` }, 32018],
    ['Twilio\'s invalid magic number', { From: OWNED, To: '+15005550001', Twiml: '<Response/>' }, 21217],
    ['Twilio\'s unroutable magic number', { From: OWNED, To: '+15005550002', Twiml: '<Response/>' }, 21214],
  ])('refuses a call with %s as Twilio does', async (_case, form, code) => {
    const { status, json } = await rawCall(form);
    expect(status).toBe(400);
    expect(json).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
    expect(sim.calls).toEqual([]);
  });

  it('records Calls parameters the OpenAPI spec does not declare', async (ctx) => {
    if (!TWILIO_SPEC.found) ctx.skip(TWILIO_SPEC.reason);
    await rawCall({ From: OWNED, To: OTHER, Twiml: '<Response/>', Foo: 'bar', Timeout: 'soon', StatusCallbackMethod: 'PUT' });
    expect(sim.specViolations.map((v) => [v.operationId, v.parameter])).toEqual([
      ['CreateCall', 'Foo'], ['CreateCall', 'Timeout'], ['CreateCall', 'StatusCallbackMethod'],
    ]);
  });

  it.each([
    ['no-answer', ['initiated', 'ringing', 'no-answer']],
    ['busy', ['initiated', 'busy']],
    ['fail', ['initiated', 'failed']],
  ] as const)('plays a callee that does %s', async (behaviour, statuses) => {
    sim.answerCalls(behaviour, { to: '+15550103' });
    const downloadsBefore = audio.requests.length;
    const call = await client().calls.create({
      from: OWNED, to: '+15550103', twiml: playTwiml(wavUrl), statusCallback: statusUrl(), statusCallbackEvent: ALL_EVENTS, timeout: 5,
    });
    await sim.settled();
    expect(callbackStatuses()).toEqual(statuses);
    expect(receiver.received.at(-1)?.params).toMatchObject({ CallDuration: '0', Duration: '0' });
    expect(await client().calls(call.sid).fetch()).toMatchObject({ status: statuses.at(-1), duration: null });
    expect(sim.calls[0]?.played).toEqual([]);
    expect(audio.requests).toHaveLength(downloadsBefore);
  });

  it('hangs up a live call on Status=completed, and refuses changes to an ended call with 21220', async () => {
    const call = await client().calls.create({
      from: OWNED, to: OTHER, twiml: playTwiml(wavUrl, 1000), statusCallback: statusUrl(), statusCallbackEvent: ALL_EVENTS,
    });
    await expect.poll(() => sim.calls[0]?.status, { timeout: 3000 }).toBe('in-progress');
    const updated = await client().calls(call.sid).update({ status: 'completed' });
    await sim.settled();
    expect(updated.sid).toBe(call.sid);
    expect(callbackStatuses()).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    const ended = sim.calls[0];
    expect(ended?.status).toBe('completed');
    expect(ended?.durationSeconds).toBeLessThan(1500);
    expect(ended?.played[0]?.times).toBeLessThan(1000);
    expect(await caught(client().calls(call.sid).update({ status: 'completed' }))).toMatchObject({ status: 400, code: 21220 });
    expect(await caught(client().calls('CA00000000000000000000000000000000').fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(sim.specViolations).toEqual([]);
  });

  it('cancels a call that is still ringing', async () => {
    sim.answerCalls('no-answer');
    const call = await client().calls.create({ from: OWNED, to: OTHER, twiml: playTwiml(wavUrl), statusCallback: statusUrl(), statusCallbackEvent: ALL_EVENTS });
    await expect.poll(() => sim.calls[0]?.status).toBe('ringing');
    await client().calls(call.sid).update({ status: 'canceled' });
    await sim.settled();
    expect(callbackStatuses()).toEqual(['initiated', 'ringing', 'canceled']);
  });

  it('runs new TwiML sent to a live call', async () => {
    const call = await client().calls.create({ from: OWNED, to: OTHER, twiml: playTwiml(wavUrl, 1000) });
    await expect.poll(() => sim.calls[0]?.status, { timeout: 3000 }).toBe('in-progress');
    await client().calls(call.sid).update({ twiml: playTwiml(mp3Url) });
    await sim.settled();
    expect(sim.calls[0]?.played.map((p) => p.url)).toEqual([wavUrl, mp3Url]);
    expect(sim.calls[0]?.status).toBe('completed');
  });

  it('reports only the end without StatusCallbackEvent, and signs GET callbacks over the full URL', async () => {
    await client().calls.create({ from: OWNED, to: OTHER, twiml: playTwiml(wavUrl), statusCallback: statusUrl(), statusCallbackMethod: 'GET' });
    await sim.settled();
    expect(sim.callCallbacks.map((c) => [c.callStatus, c.method, c.status])).toEqual([['completed', 'GET', 200]]);
    const hook = receiver.received[0];
    expect(hook?.method).toBe('GET');
    expect(new URL(hook?.url ?? '').searchParams.get('CallStatus')).toBe('completed');
    expect(twilio.validateRequest(sim.authToken, hook?.headers['x-twilio-signature'] ?? '', hook?.url ?? '', {})).toBe(true);
  });

  it('builds signed call status callbacks without sending them', () => {
    const hook = sim.buildCallStatusCallback({ url: 'https://comms.example.com/calls', callSid: 'CA0123', status: 'completed', callDurationSeconds: 61, to: OTHER });
    expect(hook.params).toMatchObject({ CallSid: 'CA0123', CallStatus: 'completed', CallDuration: '61', Duration: '2', From: OWNED, To: OTHER });
    expect(twilio.validateRequest(sim.authToken, hook.headers['x-twilio-signature'] ?? '', hook.url, hook.params)).toBe(true);
  });

  it('applies the fault switches to Calls too', async () => {
    sim.failNext({ status: 503 });
    expect(await caught(client().calls.create({ from: OWNED, to: OTHER, twiml: '<Response/>' }))).toMatchObject({ status: 503, code: 20503 });
    sim.hangNext();
    expect((await caught(client().calls.create({ from: OWNED, to: OTHER, twiml: '<Response/>' }))).code).toBe('ECONNABORTED');
    expect(sim.calls).toEqual([]);
  });
});

describe('Twilio simulator: ConversationRelay (the caller side)', () => {
  const agent = new RelayTestAgent(sim.authToken);
  const CALLER = '+15550103';
  const voiceUrl = () => `${agent.baseUrl}/voice`;
  const statusUrl = () => `${receiver.baseUrl}/webhooks/twilio/call-status`;
  const hooksAt = (path: string) => agent.webhooks.filter((hook) => hook.path === path);
  /** An incoming call, once the agent has the setup message (the simulator resolves as soon as it sent it). */
  async function incoming(options: Partial<IncomingCallInput> = {}) {
    const conversation = await sim.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: OWNED, ...options });
    await expect.poll(() => agent.sockets.has(conversation.callSid)).toBe(true);
    return conversation;
  }

  beforeAll(async () => {
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
  });
  beforeEach(() => {
    agent.reset();
  });

  it('POSTs the signed voice webhook of an incoming call and opens the socket with the upgrade signed over the exact URL', async () => {
    const conversation = await incoming();
    expect(conversation.state).toBe('open');
    const [voice] = hooksAt('/voice');
    expect(voice?.signatureValid).toBe(true);
    expect(voice?.params).toMatchObject({
      CallSid: conversation.callSid, AccountSid: sim.accountSid, From: CALLER, To: OWNED, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01',
    });
    const relayUrl = agent.relayUrl(`call_${conversation.callSid}`);
    expect(agent.upgrades).toEqual([{ url: relayUrl, signature: conversation.upgradeHeaders['x-twilio-signature'], accepted: true }]);
    expect(twilio.validateRequest(sim.authToken, conversation.upgradeHeaders['x-twilio-signature'] ?? '', relayUrl, {})).toBe(true);
    expect(conversation).toMatchObject({ relayUrl, actionUrl: `${agent.baseUrl}/voice/action`, welcomeGreeting: 'Hello, you reached the test agent.', direction: 'inbound' });
    await expect.poll(() => agent.received(conversation.callSid).length).toBe(1);
    expect(agent.received(conversation.callSid)[0]).toEqual({
      type: 'setup', sessionId: conversation.sessionId, accountSid: sim.accountSid, parentCallSid: '', callSid: conversation.callSid,
      from: CALLER, to: OWNED, forwardedFrom: '', callType: 'PSTN', callerName: '', direction: 'inbound', callStatus: 'RINGING',
      customParameters: { callId: `call_${conversation.callSid}` },
    });
    expect(conversation.sessionId).toMatch(/^VX[0-9a-f]{32}$/);
    expect(sim.calls.find((c) => c.sid === conversation.callSid)).toMatchObject({ direction: 'inbound', status: 'in-progress', from: CALLER, to: OWNED });
    await conversation.hangUp();
  });

  it('speaks a prompt and collects the streamed reply with its timing', async () => {
    const conversation = await incoming();
    agent.tokenDelayMs = 5;
    const reply = await conversation.say('What time is it?');
    expect(reply).toMatchObject({ text: 'You said: What time is it?', tokens: ['You ', 'said: ', 'What time is it?'], interrupted: false, ended: false });
    expect(reply.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(reply.lastTokenMs).toBeGreaterThanOrEqual(reply.firstTokenMs ?? 0);
    expect(agent.received(conversation.callSid)[1]).toEqual({ type: 'prompt', voicePrompt: 'What time is it?', lang: 'en-US', last: true });
    expect(conversation.received.map((m) => m.message)).toEqual([
      { type: 'text', token: 'You ', last: false }, { type: 'text', token: 'said: ', last: false }, { type: 'text', token: 'What time is it?', last: true },
    ]);
    expect((await conversation.say('Again')).text).toBe('You said: Again');
    expect(conversation.replies).toHaveLength(2);
    await conversation.hangUp();
  });

  it('interrupts a reply after n tokens with what Twilio had spoken, and notes tokens sent after the interruption', async () => {
    const conversation = await incoming();
    agent.tokenDelayMs = 15;
    agent.reply = () => ['One, ', 'two, ', 'three, ', 'four, ', 'five.'];
    const interruption = conversation.interruptAfterTokens(2);
    const reply = await conversation.say('Count to five');
    expect(reply).toMatchObject({ text: 'One, two, ', interrupted: true });
    expect(await interruption).toEqual({ utteranceUntilInterrupt: 'One, two, ', durationUntilInterruptMs: expect.any(Number) });
    await expect.poll(() => agent.received(conversation.callSid).at(-1)).toEqual({
      type: 'interrupt', utteranceUntilInterrupt: 'One, two, ', durationUntilInterruptMs: (await interruption).durationUntilInterruptMs,
    });
    // The agent stops streaming on interrupt: nothing more arrives for that reply.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reply.tokensAfterInterrupt).toEqual([]);
    const manual = conversation.interrupt('Wait');
    expect(manual).toEqual({ utteranceUntilInterrupt: 'Wait', durationUntilInterruptMs: 0 });
    await conversation.hangUp();
  });

  it('sends key presses, raw messages, and answers messages Twilio cannot act on with an error', async () => {
    const conversation = await incoming();
    conversation.dtmf('5');
    expect((await conversation.nextReply()).text).toBe('You said: key 5');
    conversation.sendRaw('{not json');
    await expect.poll(() => agent.received(conversation.callSid).map((m) => m.type ?? m.unparsable)).toEqual(['setup', 'dtmf', '{not json']);
    agent.send(conversation.callSid, { type: 'dance' });
    agent.send(conversation.callSid, 'plain words');
    await expect.poll(() => conversation.invalidMessages.length).toBe(2);
    expect(conversation.invalidMessages.map((m) => m.reason)).toEqual(['unknown message type "dance"', 'not a JSON object']);
    await expect.poll(() => agent.received(conversation.callSid).filter((m) => m.type === 'error').length).toBe(2);
    expect(agent.received(conversation.callSid).at(-1)).toEqual({ type: 'error', description: 'Invalid message received: plain words' });
    await conversation.hangUp();
  });

  it('records play, sendDigits and language, and prompts in the new transcription language', async () => {
    const conversation = await incoming();
    agent.send(conversation.callSid, { type: 'play', source: 'https://media.example.com/hold.mp3' });
    agent.send(conversation.callSid, { type: 'sendDigits', digits: '1234#' });
    agent.send(conversation.callSid, { type: 'language', ttsLanguage: 'fr-FR', transcriptionLanguage: 'fr-FR' });
    await expect.poll(() => conversation.languages.length).toBe(1);
    expect(conversation).toMatchObject({ played: ['https://media.example.com/hold.mp3'], sentDigits: ['1234#'], languages: [{ ttsLanguage: 'fr-FR', transcriptionLanguage: 'fr-FR' }] });
    await conversation.say('Bonjour');
    expect(agent.received(conversation.callSid).at(-1)).toMatchObject({ type: 'prompt', lang: 'fr-FR' });
    await conversation.hangUp();
  });

  it('on the agent\'s end with handoff data, POSTs the signed action, dials the number answered, then closes the socket', async () => {
    agent.actionTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+15550100">+15550123</Dial></Response>';
    const conversation = await incoming({ statusCallbackUrl: statusUrl() });
    const handoffData = JSON.stringify({ reason: 'transfer', to: '+15550123' });
    agent.send(conversation.callSid, { type: 'end', handoffData });
    await conversation.waitForEnd();
    const [action] = hooksAt('/voice/action');
    expect(action?.signatureValid).toBe(true);
    expect(action?.params).toMatchObject({
      CallSid: conversation.callSid, AccountSid: sim.accountSid, From: CALLER, To: OWNED, Direction: 'inbound', CallStatus: 'in-progress',
      SessionId: conversation.sessionId, SessionStatus: 'ended', HandoffData: handoffData,
    });
    expect(action?.params.SessionDuration).toMatch(/^\d+$/);
    expect(conversation).toMatchObject({ end: { by: 'agent', handoffData }, handoffData, dialed: { number: '+15550123', callerId: '+15550100' }, hungUp: false, state: 'closed' });
    expect(conversation.actionRequest).toMatchObject({ status: 200, params: { HandoffData: handoffData } });
    expect(agent.closed.get(conversation.callSid)).toBe(1000);
    const call = sim.calls.find((c) => c.sid === conversation.callSid);
    expect(call).toMatchObject({ status: 'completed', dialed: [{ number: '+15550123', callerId: '+15550100' }] });
    const completed = receiver.received.filter((hook) => hook.params.CallSid === conversation.callSid);
    expect(completed.map((hook) => hook.params.CallStatus)).toEqual(['completed']);
    expect(Number(completed[0]?.params.CallDuration)).toBeGreaterThan(0);
  });

  it('on an end without handoff data, sends no HandoffData and records the hang-up answered', async () => {
    const conversation = await incoming();
    agent.send(conversation.callSid, { type: 'end' });
    await conversation.waitForEnd();
    const [action] = hooksAt('/voice/action');
    expect(action?.params).toMatchObject({ SessionStatus: 'ended' });
    expect(action?.params.HandoffData).toBeUndefined();
    expect(conversation).toMatchObject({ handoffData: null, hungUp: true, dialed: null });
  });

  it('hangs up as the caller: closes the socket, POSTs the action with the session completed, reports completed', async () => {
    const conversation = await incoming({ statusCallbackUrl: statusUrl() });
    await conversation.say('Bye');
    await conversation.hangUp();
    expect(agent.closed.get(conversation.callSid)).toBe(1000);
    const [action] = hooksAt('/voice/action');
    expect(action?.params).toMatchObject({ CallSid: conversation.callSid, CallStatus: 'completed', SessionStatus: 'completed' });
    expect(action?.params.HandoffData).toBeUndefined();
    expect(conversation.end).toEqual({ by: 'caller' });
    expect(receiver.received.map((hook) => hook.params.CallStatus)).toEqual(['completed']);
    await expect(conversation.say('Hello?')).rejects.toThrow(/over/);
  });

  it.each(['forged', 'missing'] as const)('records the refused upgrade of a %s socket signature, and the session failing', async (socketSignature) => {
    const conversation = await sim.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: OWNED, socketSignature });
    expect(conversation).toMatchObject({ state: 'refused', refusedStatus: 403 });
    expect(agent.upgrades.map((u) => u.accepted)).toEqual([false]);
    expect(conversation.upgradeHeaders['x-twilio-signature'] === undefined).toBe(socketSignature === 'missing');
    await conversation.waitForEnd();
    expect(hooksAt('/voice/action')[0]?.params).toMatchObject({ SessionStatus: 'failed' });
  });

  it('rejects with CallNotConnectedError when the voice webhook answers no ConversationRelay', async () => {
    const failure = await sim.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: OWNED, signature: 'forged' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(CallNotConnectedError);
    expect((failure as CallNotConnectedError).voiceRequest?.status).toBe(403);
    expect((failure as Error).message).toMatch(/HTTP 403/);
    expect(sim.conversations).toEqual([]);
  });

  it('connects an outbound call whose TwiML holds ConversationRelay, with progress callbacks, until the REST API hangs it up', async () => {
    const call = await client().calls.create({
      from: OWNED, to: OTHER, twiml: agent.conversationTwiml('call_out_1'), statusCallback: statusUrl(), statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    const conversation = await sim.waitForConversation(call.sid);
    expect(sim.conversations).toEqual([conversation]);
    await expect.poll(() => agent.received(call.sid)[0]).toMatchObject({ type: 'setup', callSid: call.sid, direction: 'outbound-api', from: OWNED, to: OTHER, customParameters: { callId: 'call_out_1' } });
    expect((await conversation.say('Hi')).text).toBe('You said: Hi');
    await client().calls(call.sid).update({ status: 'completed' });
    await conversation.waitForEnd();
    expect(conversation.end).toEqual({ by: 'provider' });
    expect(hooksAt('/voice/action')).toEqual([]);
    await expect.poll(() => agent.closed.get(call.sid)).toBe(1000);
    expect(receiver.received.map((hook) => hook.params.CallStatus)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
  });

  it('signs outbound upgrades as told, and fails a session whose socket is not on loopback', async () => {
    sim.signRelayUpgrades('forged');
    const refused = await client().calls.create({ from: OWNED, to: OTHER, twiml: agent.conversationTwiml('call_out_2') });
    expect(await sim.waitForConversation(refused.sid)).toMatchObject({ state: 'refused', refusedStatus: 403 });
    sim.reset();
    const remote = await client().calls.create({ from: OWNED, to: OTHER, twiml: agent.conversationTwiml('x').replace(agent.wsBase, 'wss://comms.example.com') });
    const conversation = await sim.waitForConversation(remote.sid);
    expect(conversation).toMatchObject({ state: 'failed', refusedStatus: null, failure: expect.stringMatching(/loopback/) });
  });
});

/** A WAV whose samples are 32-bit floats (format 3): valid RIFF, but not PCM or μ-law. */
function floatWav(): Uint8Array {
  const wav = silentWav(0.5, { bits: 16 });
  const view = new DataView(wav.buffer);
  view.setUint16(20, 3, true);
  return wav;
}
