import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import twilioPlugin from '../../adapters/twilio/plugin.js';
import { describeTelephonyContract } from '../../contracts/telephony.js';
import type { ConversationSettings, MakeCallRequest } from '../../ports/calls.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { AudioFileServer, silentWav } from '../simulators/twilio/audio-file-server.js';
import { RelayTestAgent, type AgentWebhook } from '../simulators/twilio/relay-test-agent.js';
import { twilioTelephonyHarness } from '../simulators/twilio/twilio-telephony-harness.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { WebhookRecorder } from '../simulators/twilio/webhook-recorder.js';

const OWNED = '+15550100';
const REACHABLE = '+15550101';
const REFUSED = '+15550199';
const PUBLIC_BASE_URL = 'https://comms.example.com';

const sim = new TwilioSimulator({ ownedNumbers: [OWNED], refusedDestinations: { [REFUSED]: 21211, '+15550198': 21614, '+15550197': 21610 }, callbackDelayMs: 1 });
const recorder = new WebhookRecorder();
const audio = new AudioFileServer();
let audioUrl = '';

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

function testContext(): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}${(counter += 1)}` },
    publicBaseUrl: PUBLIC_BASE_URL,
    configDir: '.',
    dataDir: './data',
    events: { messageStatus: () => {}, callStatus: () => {}, emailReceived: () => {} },
  };
}

function createPort(options: Partial<{ authToken: string; baseUrl: string; timeoutMs: number; messagingServiceSid: string }> = {}): Promise<TelephonyPort> {
  return twilioPlugin.create({ accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 300, ...options }, testContext());
}

beforeAll(async () => {
  await Promise.all([sim.start(), recorder.start(), audio.start()]);
  audioUrl = audio.serve('/media/contract-greeting.wav', { contentType: 'audio/wav', body: silentWav(1) });
});
afterAll(async () => {
  await Promise.all([sim.stop(), recorder.stop(), audio.stop()]);
});

describeTelephonyContract({
  name: 'twilio adapter against the Twilio simulator',
  capabilities: { sms: true, mms: true, voice: true },
  async factory() {
    sim.reset();
    recorder.reset();
    return {
      port: await createPort(),
      harness: twilioTelephonyHarness(sim, recorder, { publicBaseUrl: PUBLIC_BASE_URL, reachableNumber: REACHABLE, refusedNumber: REFUSED, audioUrl }),
    };
  },
  async teardown() {
    // Every request our adapter made must be one Twilio's published API declares.
    expect(sim.specViolations).toEqual([]);
  },
});

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (isDomainError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('twilio adapter specifics', () => {
  let port: TelephonyPort;
  const send = (overrides: Partial<Parameters<TelephonyPort['sendSms']>[0]> = {}) =>
    port.sendSms({ from: OWNED, to: REACHABLE, body: 'hi', reference: 'msg_1', ...overrides });

  beforeEach(async () => {
    sim.reset();
    recorder.reset();
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    expect(sim.specViolations).toEqual([]);
  });

  it('passes StatusCallback and the Messaging Service to Twilio as declared parameters', async () => {
    await port.close?.();
    port = await createPort({ messagingServiceSid: 'MG00000000000000000000000000000001', baseUrl: `${sim.baseUrl}/` });
    await send({ statusCallbackUrl: 'https://comms.example.com/webhooks/twilio/status?agent=agt_1' });
    expect(sim.requests[0]?.params).toEqual({
      To: REACHABLE, From: OWNED, Body: 'hi', MessagingServiceSid: 'MG00000000000000000000000000000001',
      StatusCallback: 'https://comms.example.com/webhooks/twilio/status?agent=agt_1',
    });
  });

  it('finds sent messages by From, To and body since a time, oldest first, queued ones too (no date_sent yet)', async () => {
    const before = new Date(Date.now() - 60_000);
    const first = await send({ body: 'Your code is 1234' });
    await send({ body: 'Something else' });
    await send({ to: '+15550102', body: 'Your code is 1234' });
    const second = await send({ body: 'Your code is 1234' });
    const lookUp = port.findSentSms!.bind(port);
    const found = await lookUp({ from: OWNED, to: REACHABLE, body: 'Your code is 1234', sentAfter: before });
    expect(found.map((m) => m.providerMessageId)).toEqual([first.providerMessageId, second.providerMessageId]);
    expect(await lookUp({ from: OWNED, to: REACHABLE, body: 'Your code is 1234', sentAfter: new Date(Date.now() + 60_000) })).toEqual([]);

    // Messages Twilio still holds in its queue have no date_sent: a DateSent filter would miss them.
    const queuedOnly = new TwilioSimulator({ ownedNumbers: [OWNED], callbackStatuses: ['queued'] });
    await queuedOnly.start();
    try {
      const queuedPort = await twilioPlugin.create({ accountSid: queuedOnly.accountSid, authToken: queuedOnly.authToken, baseUrl: queuedOnly.baseUrl, timeoutMs: 300 }, testContext());
      const queued = await queuedPort.sendSms({ from: OWNED, to: REACHABLE, body: 'Still queued', reference: 'msg_q' });
      await queuedOnly.settled();
      expect(await queuedPort.findSentSms!({ from: OWNED, to: REACHABLE, body: 'Still queued', sentAfter: before })).toEqual([{ providerMessageId: queued.providerMessageId, status: 'queued' }]);
      expect(queuedOnly.specViolations).toEqual([]);
    } finally {
      await queuedOnly.stop();
    }
  });

  it('reports a failed lookup with the send errors\' codes', async () => {
    await port.close?.();
    port = await createPort({ authToken: 'wrong-token-0123456789' });
    expect((await failure(port.findSentSms!({ from: OWNED, to: REACHABLE, body: 'x', sentAfter: new Date() }))).code).toBe('PROVIDER_AUTH_FAILED');
  });

  it('maps wrong credentials to PROVIDER_AUTH_FAILED without revealing the token', async () => {
    await port.close?.();
    port = await createPort({ authToken: 'wrong-token-0123456789' });
    const err = await failure(send());
    expect(err.code).toBe('PROVIDER_AUTH_FAILED');
    expect(JSON.stringify([err.message, err.nextStep, err.details])).not.toContain('wrong-token-0123456789');
  });

  it.each([
    ['21614 (not a mobile number)', '+15550198', 'INVALID_PHONE_NUMBER', 21614],
    ['21610 (recipient opted out)', '+15550197', 'OPTED_OUT', 21610],
  ])('maps Twilio %s', async (_case, to, code, providerCode) => {
    const err = await failure(send({ to }));
    expect(err.code).toBe(code);
    expect(err.details.providerCode).toBe(providerCode);
  });

  it('maps a From the account does not own to PROVIDER_REJECTED with Twilio\'s code', async () => {
    const err = await failure(send({ from: '+15550150' }));
    expect(err).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerCode: 21606, providerStatus: 400 } });
    expect(err.nextStep).toBeTruthy();
  });

  it('maps 503 to PROVIDER_UNAVAILABLE, and a connection dropped after the request to PROVIDER_TIMEOUT (maybe accepted)', async () => {
    sim.failNext({ status: 503 });
    expect((await failure(send())).code).toBe('PROVIDER_UNAVAILABLE');
    sim.dropNext();
    expect((await failure(send())).code).toBe('PROVIDER_TIMEOUT');
  });

  it('maps a refused connection to PROVIDER_UNAVAILABLE', async () => {
    const gone = new TwilioSimulator();
    await gone.start();
    const baseUrl = gone.baseUrl;
    await gone.stop();
    await port.close?.();
    port = await createPort({ baseUrl });
    const err = await failure(send());
    expect(err).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { networkError: 'ECONNREFUSED' } });
  });

  it('does not retry on its own: one request per send, even on 429', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 3 });
    const err = await failure(send());
    expect(err).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 3 } });
    expect(sim.requests).toHaveLength(1);
  });

  it('reports 429 without Retry-After as RATE_LIMITED without a wait', async () => {
    sim.failNext({ status: 429 });
    const err = await failure(send());
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details.retryAfterSeconds).toBeUndefined();
  });

  it('verifies status callbacks Twilio really sent, and maps a failed delivery', async () => {
    sim.failDelivery();
    const { providerMessageId } = await send({ statusCallbackUrl: `${recorder.baseUrl}/webhooks/twilio/status` });
    await sim.settled();
    const updates = recorder.received.map((hook) => {
      expect(port.verifyWebhook(hook)).toBe(true);
      return port.parseSmsStatus(hook);
    });
    expect(updates).toEqual([
      { providerMessageId, status: 'queued', errorCode: null },
      { providerMessageId, status: 'sent', errorCode: null },
      { providerMessageId, status: 'undelivered', errorCode: '30003' },
    ]);
  });

  it('verifies an inbound SMS Twilio really POSTed', async () => {
    const url = `${recorder.baseUrl}/webhooks/twilio/sms`;
    const { messageSid } = await sim.injectInboundSms({ url, from: REACHABLE, to: OWNED, body: 'Hello agent' });
    const hook = recorder.received[0];
    if (!hook) throw new Error('nothing received');
    expect(port.verifyWebhook(hook)).toBe(true);
    expect(port.parseInboundSms(hook)).toEqual({ providerMessageId: messageSid, from: REACHABLE, to: OWNED, body: 'Hello agent', mediaUrls: [] });
  });

  it('verifies JSON webhooks signed with bodySHA256', () => {
    const rawBody = JSON.stringify({ CallSid: 'CA0123', Status: 'completed' });
    const url = `https://comms.example.com/webhooks/twilio/json?bodySHA256=${twilio.getExpectedBodyHash(rawBody)}`;
    const signature = twilio.getExpectedTwilioSignature(sim.authToken, url, {});
    const request = { url, method: 'POST', headers: { 'x-twilio-signature': signature, 'content-type': 'application/json' }, rawBody, params: {} };
    expect(port.verifyWebhook(request)).toBe(true);
    expect(port.verifyWebhook({ ...request, rawBody: rawBody.replace('completed', 'failed') })).toBe(false);
  });

  it('refuses a status it does not know as INVALID_INPUT', () => {
    const hook = sim.buildStatusCallback({ url: 'https://comms.example.com/s', messageSid: 'SM1', status: 'teleported' });
    let code: string | null = null;
    try {
      port.parseSmsStatus(hook);
    } catch (err) {
      code = isDomainError(err) ? err.code : null;
    }
    expect(code).toBe('INVALID_INPUT');
  });

  it('answers webhooks with the SDK\'s empty TwiML', () => {
    expect(port.webhookReply()).toEqual({ contentType: 'text/xml', body: new twilio.twiml.MessagingResponse().toString() });
    expect(port.webhookReply().body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('twilio adapter calls', () => {
  let port: TelephonyPort;
  const calls = () => {
    if (!port.calls) throw new Error('the Twilio adapter must expose calls');
    return port.calls;
  };
  const callStatusUrl = () => `${recorder.baseUrl}/webhooks/twilio/call-status?agent=agt_1`;
  const place = (overrides: Partial<MakeCallRequest> = {}) => calls().makeCall({
    from: OWNED, to: REACHABLE, script: { kind: 'play', audioUrls: [audioUrl], loop: 2 }, reference: 'call_1', ...overrides,
  });

  beforeEach(async () => {
    sim.reset();
    recorder.reset();
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    expect(sim.specViolations).toEqual([]);
  });

  it('sends the script as inline TwiML with every progress event, POST, and the ring timeout', async () => {
    const result = await place({ statusCallbackUrl: callStatusUrl(), ringTimeoutSeconds: 25 });
    expect(result).toEqual({ providerCallId: expect.stringMatching(/^CA[0-9a-f]{32}$/), status: 'queued' });
    expect(sim.requests[0]?.params).toEqual({
      To: REACHABLE, From: OWNED,
      Twiml: `<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="2">${audioUrl}</Play></Response>`,
      StatusCallback: callStatusUrl(),
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      StatusCallbackMethod: 'POST',
      Timeout: '25',
    });
  });

  it('asks for no callbacks without a status callback URL', async () => {
    await place();
    expect(Object.keys(sim.requests[0]?.params ?? {}).sort()).toEqual(['From', 'To', 'Twiml']);
  });

  it('plays several files as a whole list, loop times (a, b, a, b)', async () => {
    const second = audio.serve('/media/second.wav', { contentType: 'audio/x-wav', body: silentWav(0.5) });
    await place({ script: { kind: 'play', audioUrls: [audioUrl, second], loop: 2 } });
    await sim.settled();
    expect(sim.calls[0]?.played.map((p) => [p.url, p.times])).toEqual([[audioUrl, 1], [second, 1], [audioUrl, 1], [second, 1]]);
  });

  it('refuses a script whose TwiML would exceed Twilio\'s 4000 characters, and a bad ring timeout, without calling Twilio', async () => {
    const urls = Array.from({ length: 10 }, (_, i) => `${audioUrl}?part=${i}`);
    expect((await failure(place({ script: { kind: 'play', audioUrls: urls, loop: 10 } }))).code).toBe('INVALID_INPUT');
    expect((await failure(place({ script: { kind: 'play', audioUrls: ['file:///etc/passwd'], loop: 1 } }))).code).toBe('INVALID_INPUT');
    expect((await failure(place({ ringTimeoutSeconds: 0 }))).code).toBe('INVALID_INPUT');
    expect(sim.requests).toEqual([]);
  });

  it.each([
    ['21210 (From not owned)', { from: '+15550150' }, 'PROVIDER_REJECTED', 21210],
    ['21214 (unreachable number)', { to: '+15005550002' }, 'INVALID_PHONE_NUMBER', 21214],
    ['21215 (no permission for the country)', { to: '+15005550003' }, 'PROVIDER_REJECTED', 21215],
  ] as const)('maps Twilio %s', async (_case, overrides, code, providerCode) => {
    const err = await failure(place(overrides));
    expect(err).toMatchObject({ code, details: { providerCode, providerStatus: 400 } });
    if (code === 'PROVIDER_REJECTED') expect(err.message).toContain('Twilio refused the call');
    expect(err.nextStep).toBeTruthy();
  });

  it('verifies and maps the status callbacks Twilio really sent', async () => {
    const { providerCallId } = await place({ statusCallbackUrl: callStatusUrl() });
    await sim.settled();
    const updates = recorder.received.map((hook) => {
      expect(port.verifyWebhook(hook)).toBe(true);
      return calls().parseCallStatus(hook);
    });
    expect(updates.map((u) => [u.status, u.durationSeconds])).toEqual([
      ['initiated', null], ['ringing', null], ['in-progress', null], ['completed', 2],
    ]);
    for (const update of updates) {
      expect(update.providerCallId).toBe(providerCallId);
      expect(update.occurredAt).toBeInstanceOf(Date);
      expect(update).toMatchObject({ priceMicros: null, currency: null });
    }
  });

  it('reads a price, when Twilio sends one, in micro-units without floating point', () => {
    const hook = sim.buildCallStatusCallback({ url: 'https://comms.example.com/c', callSid: 'CA1', status: 'completed', callDurationSeconds: 7 });
    const priced = { ...hook, params: { ...hook.params, Price: '-0.01400', PriceUnit: 'usd' } };
    expect(calls().parseCallStatus(priced)).toMatchObject({ durationSeconds: 7, priceMicros: -14_000, currency: 'USD' });
    const unknown = { ...hook, params: { ...hook.params, CallStatus: 'teleported' } };
    let code: string | null = null;
    try {
      calls().parseCallStatus(unknown);
    } catch (err) {
      code = isDomainError(err) ? err.code : null;
    }
    expect(code).toBe('INVALID_INPUT');
  });

  it('hangs up through Status=completed: a ringing call is canceled, and a second hang-up is harmless', async () => {
    sim.answerCalls('no-answer');
    const { providerCallId } = await place({ statusCallbackUrl: callStatusUrl() });
    await expect.poll(() => sim.calls[0]?.status).toBe('ringing');
    await calls().hangUp(providerCallId);
    await sim.settled();
    expect(recorder.received.map((h) => h.params.CallStatus)).toEqual(['initiated', 'ringing', 'canceled']);
    await calls().hangUp(providerCallId);
    expect(sim.requests.filter((r) => r.path.endsWith(`/Calls/${providerCallId}.json`)).map((r) => r.params)).toEqual([
      { Status: 'completed' }, { Status: 'completed' },
    ]);
  });

  it('ends a call whose audio Twilio cannot play as completed, with the problem only on Twilio\'s side', async () => {
    const notAudio = audio.serve('/media/not-audio.mp3', { contentType: 'audio/mpeg', body: Buffer.from('<html>oops</html>') });
    await place({ script: { kind: 'play', audioUrls: [notAudio], loop: 1 }, statusCallbackUrl: callStatusUrl() });
    await sim.settled();
    expect(sim.playbackProblems.map((p) => p.errorCode)).toEqual([11200]);
    expect(calls().parseCallStatus(recorder.received.at(-1) ?? sim.buildCallStatusCallback({ url: 'https://x', callSid: 'CA', status: 'failed' })))
      .toMatchObject({ status: 'completed', durationSeconds: 3 });
  });
});

describe('twilio adapter conversations', () => {
  const agent = new RelayTestAgent(sim.authToken);
  let port: TelephonyPort;
  const calls = () => {
    if (!port.calls) throw new Error('the Twilio adapter must expose calls');
    return port.calls;
  };
  const settings = (callId: string): ConversationSettings => ({
    relayUrl: agent.relayUrl(callId),
    welcomeGreeting: 'Hi, this is Ada.',
    voice: 'en-US-Journey-O',
    language: 'en-US',
    interruptible: true,
    actionUrl: `${agent.baseUrl}/voice/action`,
    parameters: { callId },
  });
  const asRequest = (hook: AgentWebhook | undefined): WebhookRequest => {
    if (!hook) throw new Error('the agent received no such webhook');
    return { url: hook.url, method: hook.method, headers: hook.headers, rawBody: hook.rawBody, params: hook.params };
  };
  const XML = '<?xml version="1.0" encoding="UTF-8"?>';

  beforeAll(async () => {
    await agent.start();
  });
  afterAll(async () => {
    await agent.stop();
  });
  beforeEach(async () => {
    sim.reset();
    recorder.reset();
    agent.reset();
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    expect(sim.specViolations).toEqual([]);
  });

  it('answers with the SDK\'s ConversationRelay, Dial and Hangup TwiML', () => {
    expect(calls().answerWithConversation({
      relayUrl: 'wss://comms.example.com/voice/relay/call_1', welcomeGreeting: 'Hi & welcome', voice: 'en-US-Journey-O', language: 'en-US',
      interruptible: true, actionUrl: 'https://comms.example.com/webhooks/agt_1/voice/action', parameters: { callId: 'call_1' },
    })).toEqual({
      contentType: 'text/xml',
      body: `${XML}<Response><Connect action="https://comms.example.com/webhooks/agt_1/voice/action"><ConversationRelay url="wss://comms.example.com/voice/relay/call_1" welcomeGreeting="Hi &amp; welcome" voice="en-US-Journey-O" language="en-US" interruptible="speech" dtmfDetection="true"><Parameter name="callId" value="call_1"/></ConversationRelay></Connect></Response>`,
    });
    expect(calls().answerWithConversation({
      relayUrl: 'wss://comms.example.com/voice/relay/call_2', welcomeGreeting: null, interruptible: false, actionUrl: 'https://comms.example.com/a',
    }).body).toBe(`${XML}<Response><Connect action="https://comms.example.com/a"><ConversationRelay url="wss://comms.example.com/voice/relay/call_2" interruptible="none" dtmfDetection="true"/></Connect></Response>`);
    expect(calls().answerWithTransfer('+15550123', OWNED)).toEqual({ contentType: 'text/xml', body: `${XML}<Response><Dial callerId="${OWNED}">+15550123</Dial></Response>` });
    expect(calls().answerWithHangup()).toEqual({ contentType: 'text/xml', body: `${XML}<Response><Hangup/></Response>` });
  });

  it('refuses settings Twilio could not run, and a transfer to a malformed number, as INVALID_INPUT', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return isDomainError(err) ? err.code : String(err);
      }
      return null;
    };
    expect(codeOf(() => calls().answerWithConversation({ ...settings('x'), relayUrl: 'https://comms.example.com/voice/relay/x' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => calls().answerWithConversation({ ...settings('x'), actionUrl: '/relative' }))).toBe('INVALID_INPUT');
    expect(codeOf(() => calls().answerWithConversation({ ...settings('x'), parameters: { ' ': 'v' } }))).toBe('INVALID_INPUT');
    expect(codeOf(() => calls().answerWithTransfer('555-0123', OWNED))).toBe('INVALID_INPUT');
    expect(codeOf(() => calls().answerWithTransfer('+15550123', 'agent'))).toBe('INVALID_INPUT');
  });

  it('handles a real incoming call: the voice webhook verifies, its answer opens a signed socket, and the handoff dials', async () => {
    agent.voiceTwiml = (params) => calls().answerWithConversation(settings(`call_${String(params.CallSid)}`)).body;
    agent.actionTwiml = calls().answerWithTransfer('+15550123', OWNED).body;
    const conversation = await sim.placeIncomingCall({ voiceUrl: `${agent.baseUrl}/voice`, from: REACHABLE, to: OWNED });
    const voice = asRequest(agent.webhooks[0]);
    expect(port.verifyWebhook(voice)).toBe(true);
    expect(calls().parseIncomingCall(voice)).toEqual({ providerCallId: conversation.callSid, from: REACHABLE, to: OWNED });
    expect(conversation).toMatchObject({ state: 'open', welcomeGreeting: 'Hi, this is Ada.', setup: { customParameters: { callId: `call_${conversation.callSid}` } } });
    expect(agent.upgrades.map((u) => u.accepted)).toEqual([true]);
    await expect.poll(() => agent.sockets.has(conversation.callSid)).toBe(true);
    expect((await conversation.say('Can I talk to a person?')).text).toBe('You said: Can I talk to a person?');
    const handoffData = JSON.stringify({ reason: 'transfer', to: '+15550123' });
    agent.send(conversation.callSid, { type: 'end', handoffData });
    await conversation.waitForEnd();
    const action = asRequest(agent.webhooks.find((hook) => hook.path === '/voice/action'));
    expect(port.verifyWebhook(action)).toBe(true);
    expect(calls().parseConversationEnd(action)).toEqual({ providerCallId: conversation.callSid, handoffData });
    expect(conversation.dialed).toEqual({ number: '+15550123', callerId: OWNED });
  });

  it('reads a caller\'s hang-up as a conversation end without handoff data', async () => {
    agent.voiceTwiml = (params) => calls().answerWithConversation(settings(`call_${String(params.CallSid)}`)).body;
    const conversation = await sim.placeIncomingCall({ voiceUrl: `${agent.baseUrl}/voice`, from: REACHABLE, to: OWNED });
    await conversation.hangUp();
    const action = asRequest(agent.webhooks.find((hook) => hook.path === '/voice/action'));
    expect(port.verifyWebhook(action)).toBe(true);
    expect(calls().parseConversationEnd(action)).toEqual({ providerCallId: conversation.callSid, handoffData: null });
  });

  it('places a conversation call: the callee is connected to the relay, and hanging up ends it completed', async () => {
    const statusCallbackUrl = `${recorder.baseUrl}/webhooks/twilio/call-status`;
    const { providerCallId } = await calls().makeCall({
      from: OWNED, to: REACHABLE, script: { kind: 'converse', conversation: settings('call_out') }, reference: 'call_out', statusCallbackUrl,
    });
    expect(sim.requests[0]?.params.Twiml).toBe(calls().answerWithConversation(settings('call_out')).body);
    const conversation = await sim.waitForConversation(providerCallId);
    expect(conversation.setup).toMatchObject({ direction: 'outbound-api', from: OWNED, to: REACHABLE, customParameters: { callId: 'call_out' } });
    await calls().hangUp(providerCallId);
    await conversation.waitForEnd();
    expect(conversation.end).toEqual({ by: 'provider' });
    expect(recorder.received.map((hook) => calls().parseCallStatus(hook).status)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
  });
});
