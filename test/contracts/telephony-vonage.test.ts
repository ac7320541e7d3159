import type { CredentialCheck } from '../../ports/credential-check.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import vonagePlugin from '../../adapters/vonage/telephony-plugin.js';
import type { VonageTelephonyOptions } from '../../adapters/vonage/vonage-telephony-options.js';
import { describeTelephonyContract } from '../../contracts/telephony.js';
import { codeThrownBy, expectFailure } from '../../contracts/domain-error-assertions.js';
import jwt from 'jsonwebtoken';
import type { ConversationSettings } from '../../ports/calls.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { WebhookReceiver } from '../simulators/shared/webhook-receiver.js';
import { AudioFileServer, silentWav } from '../simulators/twilio/audio-file-server.js';
import { SMS_REFUSALS } from '../simulators/vonage/vonage-sms-bodies.js';
import { readNcco, vonageTelephonyHarness } from '../simulators/vonage/vonage-telephony-harness.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';
import { signVonageWebhook, type SignedVonageWebhook } from '../simulators/vonage/vonage-webhook-signing.js';
import { testPluginContext } from '../support/plugin-context.js';

const OWNED = '+15550100';
const REACHABLE = '+15550101';
const REFUSED = '+15550199';
const PUBLIC_BASE_URL = 'https://comms.example.com';
/** Generous: only the tests of a provider that never answers wait it out, and a loaded machine must not look like one. */
const TIMEOUT_MS = 2000;

const sim = new VonageTelephonySimulator({ numbers: [OWNED], refusedRecipients: [REFUSED], statusDelayMs: 1, msPerCallSecond: 2 });
const receiver = new WebhookReceiver();
const audio = new AudioFileServer();
let audioUrl = '';

function options(overrides: Partial<VonageTelephonyOptions> = {}): VonageTelephonyOptions {
  return {
    apiKey: sim.apiKey, apiSecret: sim.apiSecret, signatureSecret: sim.signatureSecret, signatureMethod: sim.signatureMethod,
    applicationId: sim.applicationId, privateKey: sim.privateKey, restHost: sim.baseUrl, apiHost: sim.baseUrl, timeoutMs: TIMEOUT_MS,
    ...overrides,
  };
}

/** A Voice API webhook signed at `at` as the simulator's account signs them. */
function signVonageWebhookForTest(url: string, body: Record<string, unknown>, at = new Date()): SignedVonageWebhook {
  return signVonageWebhook(sim, url, body, 'valid', at);
}

function createPort(overrides: Partial<VonageTelephonyOptions> = {}): Promise<TelephonyPort> {
  return vonagePlugin.create(options(overrides), testPluginContext({ publicBaseUrl: PUBLIC_BASE_URL }));
}

function asRequest(webhook: SignedVonageWebhook): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: webhook.headers, rawBody: webhook.rawBody, params: webhook.params };
}

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start(), audio.start()]);
  audioUrl = audio.serve('/media/contract-greeting.wav', { contentType: 'audio/wav', body: silentWav(1) });
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop(), audio.stop()]);
});

describeTelephonyContract({
  name: 'vonage adapter (SMS API and Voice API) against the Vonage simulator',
  capabilities: { sms: true, mms: false, voice: true, conversations: true, mediaStream: 'vonage-websocket' },
  signatureCoversUrl: false,
  relayConversations: false,
  async factory() {
    sim.reset();
    receiver.reset();
    return {
      port: await createPort(),
      harness: vonageTelephonyHarness(sim, receiver, { publicBaseUrl: PUBLIC_BASE_URL, reachableNumber: REACHABLE, refusedNumber: REFUSED, audioUrl }),
    };
  },
  async teardown() {
    await sim.settled();
    // Every request our adapter made, and every webhook the simulator sent, must be one Vonage's published API allows.
    expect(sim.specViolations).toEqual([]);
  },
});

describe('vonage telephony adapter specifics', () => {
  let port: TelephonyPort;
  const send = (overrides: Partial<Parameters<TelephonyPort['sendSms']>[0]> = {}) =>
    port.sendSms({ from: OWNED, to: REACHABLE, body: 'hi', reference: 'msg_01jxyzabcdefghjkmnpqrstvwx', ...overrides });
  const secrets = () => [sim.apiSecret, sim.signatureSecret, sim.privateKey];

  beforeEach(async () => {
    sim.reset();
    receiver.reset();
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    await sim.settled();
    sim.webhookFormat = 'json';
    expect(sim.specViolations).toEqual([]);
  });

  it('sends GSM text as `text` and anything else as `unicode`, with our id as client-ref and the receipt URL as callback', async () => {
    await send({ body: 'Plain GSM: café {ok} €5', statusCallbackUrl: 'https://comms.example.com/webhooks/agt_1/sms/status' });
    await send({ body: 'Emoji 🚀 and ✓' });
    expect(sim.sms.map((m) => [m.type, m.text])).toEqual([['text', 'Plain GSM: café {ok} €5'], ['unicode', 'Emoji 🚀 and ✓']]);
    expect(sim.sms[0]?.params).toMatchObject({ 'client-ref': 'msg_01jxyzabcdefghjkmnpqrstvwx', callback: 'https://comms.example.com/webhooks/agt_1/sms/status' });
  });

  it('names a long message by its first part; the receipts of every part carry our reference', async () => {
    const statusUrl = `${receiver.baseUrl}/webhooks/agt_1/sms/status`;
    const sent = await send({ body: 'x'.repeat(400), statusCallbackUrl: statusUrl });
    expect(sim.sms[0]?.messageIds).toHaveLength(3);
    expect(sent.providerMessageId).toBe(sim.sms[0]?.messageIds[0]);
    await sim.settled();
    const updates = receiver.received.map((r) => port.parseSmsStatus(r));
    expect(new Set(updates.map((u) => u.providerMessageId))).toEqual(new Set(sim.sms[0]?.messageIds));
    expect(updates.every((u) => u.reference === 'msg_01jxyzabcdefghjkmnpqrstvwx')).toBe(true);
  });

  it.each([
    ['bad credentials (4)', SMS_REFUSALS.badCredentials, 'PROVIDER_AUTH_FAILED'],
    ['internal error (5)', SMS_REFUSALS.internalError, 'PROVIDER_UNAVAILABLE'],
    ['illegal sender (15)', SMS_REFUSALS.illegalSender, 'PROVIDER_REJECTED'],
    ['invalid to (3)', SMS_REFUSALS.invalidParams('to'), 'INVALID_PHONE_NUMBER'],
  ] as const)('maps the SMS API refusal %s', async (_case, refusal, code) => {
    sim.refuseNextSms(refusal);
    const err = await expectFailure(send(), code, secrets());
    expect(err.details.providerCode).toBe(refusal.status);
  });

  it('maps wrong credentials, a From the account does not own, a dropped connection and a refused connection', async () => {
    await port.close?.();
    port = await createPort({ apiSecret: 'wrong-secret-0123456789' });
    const refused = await expectFailure(send(), 'PROVIDER_AUTH_FAILED', ['wrong-secret-0123456789']);
    expect(refused.nextStep).toContain('VONAGE_API_SECRET');
    await port.close?.();
    port = await createPort();
    await expectFailure(send({ from: '+15550150' }), 'PROVIDER_REJECTED', secrets());
    sim.dropNext();
    await expectFailure(send(), 'PROVIDER_TIMEOUT', secrets());
    const gone = new VonageTelephonySimulator();
    await gone.start();
    const host = gone.baseUrl;
    await gone.stop();
    await port.close?.();
    port = await createPort({ restHost: host });
    const unreachable = await expectFailure(send(), 'PROVIDER_UNAVAILABLE', secrets());
    expect(unreachable.details.networkError).toBe('ECONNREFUSED');
    expect(sim.sms).toHaveLength(0);
  });

  it('checks its credentials with the free balance lookup, sending nothing; a wrong secret fails PROVIDER_AUTH_FAILED', async () => {
    const check = (port as unknown as CredentialCheck).checkCredentials;
    expect(await check.call(port)).toContain(sim.apiKey.slice(0, 4));
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /account/get-balance']);
    await port.close?.();
    port = await createPort({ apiSecret: 'wrong-secret-0123456789' });
    const refused = await expectFailure((port as unknown as CredentialCheck).checkCredentials(), 'PROVIDER_AUTH_FAILED', ['wrong-secret-0123456789']);
    expect(refused.nextStep).toContain('VONAGE_API_SECRET');
    expect(sim.sms).toHaveLength(0);
  });

  it('verifies form-posted webhooks and every signature method the dashboard offers', async () => {
    sim.webhookFormat = 'form';
    const inbound = asRequest(sim.buildInboundSms({ url: `${PUBLIC_BASE_URL}/webhooks/sms`, from: REACHABLE, to: OWNED, text: 'Yes & no = maybe' }));
    expect(inbound.params).toMatchObject({ msisdn: '15550101', text: 'Yes & no = maybe' });
    expect(port.verifyWebhook(inbound)).toBe(true);
    expect(port.parseInboundSms(inbound)).toMatchObject({ from: REACHABLE, to: OWNED, body: 'Yes & no = maybe' });
    for (const method of ['md5hash', 'md5', 'sha1', 'sha512'] as const) {
      const other = new VonageTelephonySimulator({ numbers: [OWNED], signatureMethod: method, signatureSecret: sim.signatureSecret });
      const signed = asRequest(other.buildInboundSms({ url: `${PUBLIC_BASE_URL}/webhooks/sms`, from: REACHABLE, to: OWNED, text: method }));
      const methodPort = await createPort({ signatureMethod: method });
      expect(methodPort.verifyWebhook(signed), method).toBe(true);
      expect(port.verifyWebhook(signed), `${method} checked as sha256`).toBe(false);
    }
  });

  it('refuses a stale SMS signature (a replay) and a stale JWT', async () => {
    const url = `${PUBLIC_BASE_URL}/webhooks/sms`;
    expect(port.verifyWebhook(asRequest(sim.buildInboundSms({ url, from: REACHABLE, to: OWNED, text: 'old', signature: 'stale' })))).toBe(false);
    expect(port.verifyWebhook(asRequest(sim.buildCallEvent({ url, uuid: 'call-1', status: 'ringing', signature: 'stale' })))).toBe(false);
  });

  it('reads inbound SMS and statuses of an account set up for the Messages API (signed JWT)', async () => {
    const url = `${PUBLIC_BASE_URL}/webhooks/sms`;
    const now = new Date();
    const inbound = asRequest(signVonageWebhook(sim, url, {
      channel: 'sms', message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', message_type: 'text', to: '15550100', from: '15550101', text: 'Via Messages', timestamp: now.toISOString(),
    }, 'valid', now));
    expect(port.verifyWebhook(inbound)).toBe(true);
    expect(port.parseInboundSms(inbound)).toEqual({ providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', from: REACHABLE, to: OWNED, body: 'Via Messages', mediaUrls: [] });
    const status = asRequest(signVonageWebhook(sim, url, {
      channel: 'sms', message_uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', status: 'delivered', to: '15550101', from: '15550100', client_ref: 'msg_1', timestamp: now.toISOString(),
    }, 'valid', now));
    expect(port.parseSmsStatus(status)).toEqual({ providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', status: 'delivered', errorCode: null, reference: 'msg_1' });
    const whatsapp = asRequest(signVonageWebhook(sim, url, { channel: 'whatsapp', message_uuid: 'u', message_type: 'text', to: '15550100', from: '15550101', text: 'x' }, 'valid', now));
    expect(codeThrownBy(() => port.parseInboundSms(whatsapp))).toBe('INVALID_INPUT');
  });

  it('names the agent\'s own number on call events: the callee of an inbound call, the caller of an outbound one', () => {
    const url = `${PUBLIC_BASE_URL}/webhooks/voice/status`;
    const inbound = port.calls!.parseCallStatus(asRequest(sim.buildCallEvent({ url, uuid: 'c1', status: 'answered', direction: 'inbound', from: REACHABLE, to: OWNED })));
    const outbound = port.calls!.parseCallStatus(asRequest(sim.buildCallEvent({ url, uuid: 'c2', status: 'completed', durationSeconds: 61, from: OWNED, to: REACHABLE })));
    expect(inbound).toMatchObject({ status: 'in-progress', agentNumber: OWNED });
    expect(outbound).toMatchObject({ status: 'completed', agentNumber: OWNED, durationSeconds: 61, currency: 'EUR' });
    expect(outbound.priceMicros).toBe(-9000);
  });

  it('plays several files in order, the whole list `loop` times, and answers transfers and hang-ups with NCCOs', async () => {
    const second = audio.serve('/media/second.wav', { contentType: 'audio/wav', body: silentWav(1) });
    const { providerCallId } = await port.calls!.makeCall({ from: OWNED, to: REACHABLE, script: { kind: 'play', audioUrls: [audioUrl, second], loop: 2 }, reference: 'call_1' });
    await sim.settled();
    expect(sim.calls.find((c) => c.uuid === providerCallId)?.played).toEqual([audioUrl, second, audioUrl, second]);
    expect(readNcco(JSON.parse(port.calls!.answerWithTransfer('+15550123', OWNED).body))).toEqual({ kind: 'transfer', to: '+15550123', callerId: OWNED });
    expect(readNcco(JSON.parse(port.calls!.answerWithHangup().body))).toEqual({ kind: 'hangup' });
    await expectFailure(port.calls!.makeCall({ from: OWNED, to: REACHABLE, script: { kind: 'play', audioUrls: [audioUrl], loop: 1 }, ringTimeoutSeconds: 121, reference: 'call_2' }), 'INVALID_INPUT', secrets());
  });

  it('sends and receives SMS only when no application is configured', async () => {
    await port.close?.();
    port = await createPort({ applicationId: undefined, privateKey: undefined });
    expect(port.capabilities).toEqual({ sms: true, mms: false, voice: false, conversations: false, mediaStream: 'vonage-websocket' });
    expect(port.calls).toBeUndefined();
    expect((await send()).status).toBe('accepted');
  });
});

describe('vonage live conversations (a WebSocket leg of 16 kHz L16 to our voice socket)', () => {
  let now = new Date('2026-11-30T12:00:00Z');
  const clock = { now: () => now };
  const socketUrl = 'wss://comms.example.com/voice/media/call_live_1';
  const settings = (overrides: Partial<ConversationSettings> = {}): ConversationSettings => ({
    transport: 'media-stream', relayUrl: socketUrl, welcomeGreeting: 'Hello', interruptible: true,
    actionUrl: 'https://comms.example.com/webhooks/agt_1/voice/action', parameters: { callId: 'call_live_1' }, ...overrides,
  });
  const upgrade = (url: string): WebhookRequest => ({ url, method: 'GET', headers: {}, rawBody: '', params: {} });
  let port: TelephonyPort;

  beforeEach(async () => {
    sim.reset();
    now = new Date('2026-11-30T12:00:00Z');
    port = await vonagePlugin.create(options(), testPluginContext({ publicBaseUrl: PUBLIC_BASE_URL, clock }));
  });
  afterEach(async () => {
    await port.close?.();
    await sim.settled();
    expect(sim.specViolations).toEqual([]);
  });

  it('answers with a connect to our socket (signed URL, L16 at 16 kHz, our parameters as headers), then a notify to the action URL', () => {
    const ncco = JSON.parse(port.calls!.answerWithConversation(settings()).body) as Array<Record<string, unknown>>;
    expect(ncco).toEqual([
      { action: 'connect', endpoint: [{ type: 'websocket', uri: expect.stringMatching(/^wss:\/\/comms\.example\.com\/voice\/media\/call_live_1\?token=/), 'content-type': 'audio/l16;rate=16000', headers: { callId: 'call_live_1' } }] },
      { action: 'notify', payload: { event: 'conversation-ended', callId: 'call_live_1' }, eventUrl: ['https://comms.example.com/webhooks/agt_1/voice/action'], eventMethod: 'POST' },
    ]);
    const uri = String((ncco[0]!.endpoint as Array<{ uri: string }>)[0]!.uri);
    expect(port.verifyWebhook(upgrade(uri))).toBe(true);
  });

  it('accepts the socket upgrade only with the token signed for that very path, and not once it expired', () => {
    const uri = new URL(String((JSON.parse(port.calls!.answerWithConversation(settings()).body) as Array<{ endpoint?: Array<{ uri: string }> }>)[0]!.endpoint![0]!.uri));
    const token = uri.searchParams.get('token')!;
    expect(port.verifyWebhook(upgrade(socketUrl))).toBe(false);
    expect(port.verifyWebhook(upgrade(`wss://comms.example.com/voice/media/call_other?token=${token}`))).toBe(false);
    expect(port.verifyWebhook(upgrade(`${socketUrl}?token=${token.slice(0, -3)}abc`))).toBe(false);
    // Signed with another secret (a forger's).
    const forgedToken = jwt.sign({ sub: '/voice/media/call_live_1', aud: 'agentos-comms:voice-socket' }, 'not-the-secret', { algorithm: 'HS256' });
    expect(port.verifyWebhook(upgrade(`${socketUrl}?token=${forgedToken}`))).toBe(false);
    now = new Date(now.getTime() + 601_000);
    expect(port.verifyWebhook(upgrade(uri.toString()))).toBe(false);
  });

  it('refuses the conversationrelay transport, which Vonage has no counterpart of, as CHANNEL_NOT_CONFIGURED', async () => {
    expect(codeThrownBy(() => port.calls!.answerWithConversation(settings({ transport: 'conversationrelay' })))).toBe('CHANNEL_NOT_CONFIGURED');
    await expectFailure(port.calls!.makeCall({ from: OWNED, to: REACHABLE, script: { kind: 'converse', conversation: settings({ transport: undefined }) }, reference: 'call_2' }), 'CHANNEL_NOT_CONFIGURED', [sim.signatureSecret]);
    expect(sim.calls).toEqual([]);
  });

  it('places a conversation call with the same NCCO, and reads the notify after the socket as the conversation\'s end', async () => {
    const { providerCallId } = await port.calls!.makeCall({ from: OWNED, to: REACHABLE, script: { kind: 'converse', conversation: settings() }, reference: 'call_3' });
    const placed = sim.calls.find((c) => c.uuid === providerCallId)!;
    expect(placed.ncco.map((a) => (a as { action: string }).action)).toEqual(['connect', 'notify']);
    await port.calls!.hangUp(providerCallId);
    const notify = asRequest(signVonageWebhookForTest(settings().actionUrl, { uuid: providerCallId, conversation_uuid: 'CON-1', payload: { callId: 'call_live_1' }, timestamp: now.toISOString() }, now));
    expect(port.verifyWebhook(notify)).toBe(true);
    expect(port.calls!.parseConversationEnd(notify)).toEqual({ providerCallId, handoffData: null });
    expect(codeThrownBy(() => port.calls!.parseConversationEnd({ ...notify, rawBody: '{}' }))).toBe('INVALID_INPUT');
  });
});

describe('vonage answering-machine detection (advanced, detect_beep)', () => {
  let port: TelephonyPort;
  beforeEach(async () => {
    sim.reset();
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    await sim.settled();
    expect(sim.specViolations).toEqual([]);
  });

  it('reads the detection from call events: a person, or a machine once its beep sounded (or was waited for in vain)', () => {
    const url = `${PUBLIC_BASE_URL}/webhooks/agt_1/voice/status`;
    const event = (status: 'human' | 'machine', subState?: string) => port.calls!.parseCallStatus(asRequest(sim.buildCallEvent({ url, uuid: 'c1', status, subState })));
    expect(event('human')).toMatchObject({ status: 'in-progress', answeredBy: 'human' });
    // The greeting is recognised before its beep: nothing is left until the beep.
    expect(event('machine').answeredBy).toBeUndefined();
    expect(event('machine', 'beep_start')).toMatchObject({ answeredBy: 'machine' });
    expect(event('machine', 'beep_timeout')).toMatchObject({ answeredBy: 'machine' });
    expect(port.calls!.parseCallStatus(asRequest(sim.buildCallEvent({ url, uuid: 'c1', status: 'answered' }))).answeredBy).toBeUndefined();
  });

  it('holds a call placed with detection in silence, then transfers it to its script or hangs it up', async () => {
    const script = { kind: 'play' as const, audioUrls: [audioUrl], loop: 1 };
    const { providerCallId } = await port.calls!.makeCall({ from: OWNED, to: REACHABLE, script, reference: 'call_amd', machineDetection: { answerUrl: `${PUBLIC_BASE_URL}/webhooks/agt_1/voice/answer` } });
    const placed = sim.calls.find((c) => c.uuid === providerCallId)!;
    expect(placed.ncco).toEqual([{ action: 'conversation', name: 'hold-call_amd' }]);
    expect(placed.body.advanced_machine_detection).toEqual({ behavior: 'continue', mode: 'detect_beep', beep_timeout: 45 });
    await port.calls!.continueAnsweredCall!(providerCallId, { kind: 'say', text: 'Please call back.', language: 'en-US' });
    expect(placed.ncco).toEqual([{ action: 'talk', text: 'Please call back.', language: 'en-US' }]);
    await sim.settled();
    expect(placed.timeline).toEqual(['human', 'talk Please call back.']);
    const second = await port.calls!.makeCall({ from: OWNED, to: REACHABLE, script, reference: 'call_amd2', machineDetection: { answerUrl: `${PUBLIC_BASE_URL}/webhooks/agt_1/voice/answer` } });
    await port.calls!.continueAnsweredCall!(second.providerCallId, { kind: 'hangup' });
    await sim.settled();
    const hungUp = sim.requests.filter((r) => r.method === 'PUT' && r.path === `/v1/calls/${second.providerCallId}`).map((r) => JSON.parse(r.rawBody) as unknown);
    expect(hungUp).toEqual([{ action: 'hangup' }]);
    // Hung up while held: the detection may have reported first (the callee answers on its own timer), but no script ran.
    const scriptSteps = sim.calls.find((c) => c.uuid === second.providerCallId)?.timeline.filter((step) => !['human', 'machine', 'beep'].includes(step));
    expect(scriptSteps).toEqual([]);
  });
});
