import { Vonage } from '@vonage/server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookReceiver } from './shared/webhook-receiver.js';
import { AudioFileServer, silentWav } from './twilio/audio-file-server.js';
import { smsSignature } from './vonage/vonage-sms-signing.js';
import { VonageTelephonySimulator } from './vonage/vonage-telephony-simulator.js';

const OWNED = '15550100';
const PERSON = '15550101';

const sim = new VonageTelephonySimulator({ numbers: [`+${OWNED}`], refusedRecipients: ['+15550199'], statusDelayMs: 1, msPerCallSecond: 2 });
const receiver = new WebhookReceiver();
const audio = new AudioFileServer();
let audioUrl = '';

type SmsParams = Parameters<Vonage['sms']['send']>[0];
type CallParams = Parameters<Vonage['voice']['createOutboundCall']>[0];

const client = (overrides: { apiSecret?: string } = {}) => new Vonage(
  { apiKey: sim.apiKey, apiSecret: overrides.apiSecret ?? sim.apiSecret, applicationId: sim.applicationId, privateKey: sim.privateKey },
  { restHost: sim.baseUrl, apiHost: sim.baseUrl, timeout: 2000 },
);

async function failure(promise: Promise<unknown>): Promise<{ status?: number; messages?: Array<{ status?: string; errorText?: string }> }> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number } }).response;
    const failed = (err as { getFailedMessages?: () => Array<{ status?: string; errorText?: string }> }).getFailedMessages?.();
    return { status: response?.status, messages: failed };
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start(), audio.start()]);
  audioUrl = audio.serve('/a.wav', { contentType: 'audio/wav', body: silentWav(1) });
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop(), audio.stop()]);
});
beforeEach(async () => {
  await sim.settled();
  sim.reset();
  receiver.reset();
});

describe('Vonage telephony simulator: SMS API', () => {
  it('accepts the SDK\'s send (JSON, Basic auth) and answers one message id per part', async () => {
    const answer = await client().sms.send({ from: OWNED, to: PERSON, text: 'y'.repeat(161), clientRef: 'ref-1' } as SmsParams);
    expect(answer.messageCount).toBe('2');
    expect(answer.messages.map((m) => m.messageId)).toEqual(sim.sms[0]?.messageIds);
    expect(sim.requests[0]).toMatchObject({ method: 'POST', path: '/sms/json' });
    expect(sim.requests[0]?.headers.authorization).toMatch(/^Basic /);
  });

  it('delivers text-type messages in GSM-7 only, as phones receive them', async () => {
    await client().sms.send({ from: OWNED, to: PERSON, text: 'Smile 😀 ok' } as SmsParams);
    await client().sms.send({ from: OWNED, to: PERSON, text: 'Smile 😀 ok', type: 'unicode' } as SmsParams);
    expect(sim.sms.map((m) => m.text)).toEqual(['Smile ?? ok'.replace('??', '?'), 'Smile 😀 ok']);
  });

  it('refuses in the body as the spec\'s x-errors say: bad credentials 4, unroutable 6, illegal sender 15, throttled 1', async () => {
    expect((await failure(client({ apiSecret: 'wrong-secret' }).sms.send({ from: OWNED, to: PERSON, text: 'x' } as SmsParams))).messages?.[0]?.status).toBe('4');
    expect((await failure(client().sms.send({ from: OWNED, to: '15550199', text: 'x' } as SmsParams))).messages?.[0]?.status).toBe('6');
    expect((await failure(client().sms.send({ from: '15550150', to: PERSON, text: 'x' } as SmsParams))).messages?.[0]?.status).toBe('15');
    sim.throttleNext();
    expect((await failure(client().sms.send({ from: OWNED, to: PERSON, text: 'x' } as SmsParams))).messages?.[0]).toMatchObject({ status: '1', errorText: 'Throttled' });
    expect(sim.sms).toEqual([]);
  });

  it('posts signed delivery receipts for every part to the callback (or the account\'s receipt URL)', async () => {
    await client().sms.send({ from: OWNED, to: PERSON, text: 'z'.repeat(200), clientRef: 'ref-2', callback: `${receiver.baseUrl}/dlr` } as SmsParams);
    sim.deliveryReceiptUrl = `${receiver.baseUrl}/account-dlr`;
    await client().sms.send({ from: OWNED, to: PERSON, text: 'short' } as SmsParams);
    await sim.settled();
    sim.deliveryReceiptUrl = null;
    const receipts = receiver.received.map((r): Record<string, string> => ({ ...(JSON.parse(r.rawBody) as Record<string, string>), path: new URL(r.url).pathname }));
    expect(receipts.filter((r) => r.path === '/dlr').map((r) => [r.messageId, r.status])).toEqual([
      [sim.sms[0]?.messageIds[0], 'accepted'], [sim.sms[0]?.messageIds[1], 'accepted'],
      [sim.sms[0]?.messageIds[0], 'delivered'], [sim.sms[0]?.messageIds[1], 'delivered'],
    ]);
    expect(receipts.filter((r) => r.path === '/account-dlr')).toHaveLength(2);
    const [first] = receipts;
    expect(first).toMatchObject({ msisdn: PERSON, to: OWNED, 'client-ref': 'ref-2', 'api-key': sim.apiKey });
    const { path: _path, ...fields } = first!;
    // Signed as Vonage signs: the SDK's own helper agrees.
    expect(client().sms.verifySignature(String(fields.sig), fields, sim.signatureSecret, 'SHA256HMAC' as Parameters<Vonage['sms']['verifySignature']>[3])).toBe(true);
  });

  it('signs every method the dashboard offers as the SDK verifies it', () => {
    const fields = { msisdn: PERSON, to: OWNED, text: 'a&b=c', timestamp: '1700000000', nonce: 'n-1' };
    const algorithms = { md5hash: 'MD5HASH', md5: 'MD5HMAC', sha1: 'SHA1HMAC', sha256: 'SHA256HMAC', sha512: 'SHA512HMAC' } as const;
    for (const [method, algorithm] of Object.entries(algorithms)) {
      const sig = smsSignature(fields, 'secret-1', method as keyof typeof algorithms);
      expect(client().sms.verifySignature(sig, fields, 'secret-1', algorithm as Parameters<Vonage['sms']['verifySignature']>[3]), method).toBe(true);
    }
  });
});

describe('Vonage telephony simulator: Voice API', () => {
  const call = (overrides: Record<string, unknown> = {}) => ({
    to: [{ type: 'phone', number: PERSON }], from: { type: 'phone', number: OWNED },
    ncco: [{ action: 'stream', streamUrl: [audioUrl], loop: 2 }], eventUrl: [`${receiver.baseUrl}/event`], eventMethod: 'POST', ...overrides,
  }) as unknown as CallParams;

  it('places a call with an inline NCCO, plays it, and reports started → ringing → answered → completed, signed', async () => {
    const placed = await client().voice.createOutboundCall(call());
    await sim.settled();
    const events = receiver.received.map((r) => JSON.parse(r.rawBody) as Record<string, string>);
    expect(events.map((e) => e.status)).toEqual(['started', 'ringing', 'answered', 'completed']);
    expect(events.every((e) => e.uuid === placed.uuid)).toBe(true);
    expect(Number(events.at(-1)?.duration)).toBeGreaterThan(0);
    expect(receiver.received.every((r) => /^Bearer /.test(r.headers.authorization ?? ''))).toBe(true);
    expect(sim.calls[0]?.played).toEqual([audioUrl, audioUrl]);
    expect((await client().voice.getCall(placed.uuid)).status).toBe('completed');
  });

  it('needs the application\'s JWT, refuses a number it cannot reach, and answers 404 to hanging up an ended call', async () => {
    const basic = await fetch(`${sim.baseUrl}/v1/calls`, {
      method: 'POST', body: JSON.stringify(call()),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect((await failure(client().voice.createOutboundCall(call({ to: [{ type: 'phone', number: '15550199' }] })))).status).toBe(400);
    const placed = await client().voice.createOutboundCall(call());
    await sim.settled();
    expect((await failure(client().voice.hangupCall(placed.uuid))).status).toBe(404);
    expect((await failure(client().voice.getCall('no-such-call'))).status).toBe(404);
  });

  it('lets a callee be busy', async () => {
    sim.answerCalls('busy', { to: `+${PERSON}` });
    await client().voice.createOutboundCall(call());
    await sim.settled();
    expect(receiver.received.map((r) => (JSON.parse(r.rawBody) as { status: string }).status)).toEqual(['started', 'ringing', 'busy']);
  });
});

describe('Vonage telephony simulator: requests checked against Vonage\'s OpenAPI documents', () => {
  it('records requests the published API does not allow', async (ctx) => {
    if (sim.specCheck !== 'checked') {
      ctx.skip(`spec check skipped: ${sim.specCheck.skipped}`);
      return;
    }
    const raw = (path: string, body: unknown, authorization: string) => fetch(`${sim.baseUrl}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body),
    });
    await raw('/sms/json', { from: OWNED, to: PERSON, text: 'x', 'colour-of-sms': 'blue' }, `Basic ${Buffer.from(`${sim.apiKey}:${sim.apiSecret}`).toString('base64')}`);
    expect(sim.specViolations).toEqual([expect.objectContaining({ operation: 'send-an-sms', parameter: 'colour-of-sms' })]);
    sim.specViolations.length = 0;
    await client().voice.createOutboundCall(call());
    await client().sms.send({ from: OWNED, to: PERSON, text: 'fine', clientRef: 'r', callback: `${receiver.baseUrl}/dlr` } as SmsParams);
    await sim.settled();
    expect(sim.specViolations).toEqual([]);
  });

  const call = () => ({ to: [{ type: 'phone', number: PERSON }], from: { type: 'phone', number: OWNED }, ncco: [] }) as unknown as CallParams;
});
