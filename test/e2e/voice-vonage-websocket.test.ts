import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callViewPoller, expectCutReply, speakOverTheReply, type TranscriptTurn } from '../support/caller-line-scenarios.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { spokenLinear16 } from '../support/spoken-audio.js';
import { recordingLogger, startTestServer, type TestServer } from '../support/test-server.js';
import { DeepgramSimulator } from '../simulators/deepgram/deepgram-simulator.js';
import { OpenAiSimulator } from '../simulators/llm/openai-simulator.js';
import { VONAGE_FRAME_BYTES, type SimulatedVonageSocket } from '../simulators/vonage/simulated-vonage-socket.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';
import { signVonageWebhook } from '../simulators/vonage/vonage-webhook-signing.js';
import { parseWav } from '../../adapters/audio/wav.js';

const AGENT_NUMBER = '+15550100081';
const CALLER = '+15550100181';
const HUMAN = '+15550100182';
/** The callees of the detection tests (a number is called at most 3 times a day by default). */
const PERSON = '+15550100183';
const VOICEMAIL_BOX = '+15550100184';
/** The callee of the recorded call. */
const RECORDED = '+15550100185';

interface CallView {
  callId: string; status: string; providerCallId: string | null; history: Array<{ status: string }>;
  metadata: Record<string, unknown>; transcript: TranscriptTurn[]; latency: Record<string, unknown> | null;
  recording: { url: string; durationSeconds: number | null } | null;
}

const vonage = new VonageTelephonySimulator({ numbers: [AGENT_NUMBER], statusDelayMs: 5, msPerCallSecond: 5 });
const deepgram = new DeepgramSimulator();
const openai = new OpenAiSimulator();
let server: TestServer;
let agentId: string;
let client: Client;

beforeAll(async () => {
  await Promise.all([vonage.start(), deepgram.start(), openai.start()]);
  server = await startTestServer({
    telephony: {
      use: 'vonage',
      options: {
        apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, signatureSecret: vonage.signatureSecret, applicationId: vonage.applicationId,
        privateKey: vonage.privateKey, restHost: vonage.baseUrl, apiHost: vonage.baseUrl, timeoutMs: 3000,
      },
    },
    extra: {
      brain: { use: 'openai-compatible', options: { baseUrl: openai.baseUrl, apiKey: openai.apiKey, model: 'gpt-sim', timeoutMs: 5000, idleTimeoutMs: 3000 } },
      stt: { use: 'deepgram', options: { apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl, endpointingMs: 300 } },
      tts: { use: 'espeak' },
      voice: { transport: 'media-stream', apology: 'Sorry, say that again?', recordingAnnouncement: 'This call is recorded.' },
      storage: { use: 'local' },
      // This file places more calls a minute than the default tier allows one agent: limits are tested elsewhere.
      usage: { enabled: false },
    },
  });
  const agent = await server.createAgent({ name: 'Receptionist', phone: AGENT_NUMBER });
  agentId = agent.agentId;
  await server.app.runner.run('comms_update_agent', { kind: 'admin' }, {
    agentId, voice: { greeting: 'Hello, Example Dental.', instructions: 'You are the receptionist of Example Dental.', language: 'en-US' },
  });
  client = await connectHttpClient(server.url, agent.token);
}, 60_000);
afterAll(async () => {
  await client?.close();
  await server?.close();
  await Promise.all([vonage.stop(), deepgram.stop(), openai.stop()]);
});
afterEach(() => {
  openai.reset();
  vonage.detectAs('human');
});

const answerUrl = (): string => `${server.url}/webhooks/${agentId}/voice`;
const eventUrl = (): string => `${server.url}/webhooks/${agentId}/voice/status`;

/** The caller says `text` in real time (16 kHz L16); the recogniser is scripted to hear exactly that. */
async function say(leg: SimulatedVonageSocket, text: string): Promise<void> {
  deepgram.hear(text);
  await leg.say(await spokenLinear16(text, 16_000, 600));
}

const callView = callViewPoller<CallView>(() => client);

async function incomingCall(): Promise<{ leg: SimulatedVonageSocket; callId: string }> {
  const call = await vonage.placeIncomingCall({ answerUrl: answerUrl(), eventUrl: eventUrl(), from: CALLER, to: AGENT_NUMBER });
  const leg = await vonage.legs.waitFor(call.uuid);
  const stored = await server.app.ports.db.calls.findByProviderId(agentId, call.uuid);
  return { leg, callId: stored!.id };
}

describe('live conversation over a Vonage WebSocket leg (16 kHz L16): Deepgram hears, espeak speaks', () => {
  it('inbound: greets, answers each turn with paced 20 ms L16 frames, takes DTMF, and stores the transcript', async () => {
    const { leg, callId } = await incomingCall();
    expect(leg.state).toBe('open');
    // The answer NCCO asked for 16 kHz linear PCM, and put our call id in the socket's first message.
    expect(leg.headers).toEqual({ callId });
    expect(new URL(leg.uri).searchParams.get('token')).toBeTruthy();
    await leg.whenHeard(0, 10);
    await leg.whenAgentQuiet();
    expect(leg.heardSpeechMs()).toBeGreaterThan(500);

    openai.enqueue({ text: 'Of course. Which day suits you?' }, { text: 'You pressed one: confirmed.' });
    const before = leg.heard.length;
    await say(leg, 'I need an appointment');
    await leg.whenHeard(before, 10);
    await leg.whenAgentQuiet();
    expect(leg.heardSpeechMs(before)).toBeGreaterThan(500);
    expect(JSON.stringify(openai.lastRequest())).toContain('I need an appointment');
    const beforeKey = leg.heard.length;
    leg.dtmf('1');
    await leg.whenHeard(beforeKey, 10);
    await leg.whenAgentQuiet();
    await leg.hangUp();

    // Every frame was 640 bytes of L16 and none came ahead of real time; every notify (our mark) came back.
    expect(leg.invalid, leg.invalid.slice(0, 3).join('; ')).toEqual([]);
    expect(leg.outbound.length).toBeGreaterThan(100);
    expect(leg.outbound.every((frame) => frame.bytes.length === VONAGE_FRAME_BYTES)).toBe(true);
    expect(leg.notifiesEchoed).toEqual(leg.notifiesSent);
    expect(leg.clears).toBe(0);
    // The caller's audio reached the recogniser as what it is.
    expect(deepgram.upgrades.at(-1)?.query).toMatchObject({ encoding: 'linear16', sample_rate: '16000' });

    const view = await callView(callId, (v) => v.status === 'completed' && v.transcript.length === 5);
    expect(view.transcript.map((t) => [t.speaker, t.text])).toEqual([
      ['agent', 'Hello, Example Dental.'],
      ['caller', 'I need an appointment'], ['agent', 'Of course. Which day suits you?'],
      ['caller', '(the caller pressed 1)'], ['agent', 'You pressed one: confirmed.'],
    ]);
    expect(view.transcript[2]!.latency).toMatchObject({ sttMs: expect.any(Number), totalMs: expect.any(Number) });
  }, 60_000);

  it('barge-in: the caller speaking over the reply sends `clear`, cancels the brain, and keeps only what was heard', async () => {
    const { leg, callId } = await incomingCall();
    await speakOverTheReply(leg, openai, (text) => say(leg, text));

    const view = await callView(callId, (v) => v.status === 'completed' && v.transcript.length === 5);
    expectCutReply(view.transcript);
  }, 60_000);

  it('outbound: comms_make_call speaks the first sentence, converses, then transfers to a person', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: CALLER, purpose: 'Confirm the appointment.', firstSentence: 'Hi, this is Example Dental.' });
    const leg = await vonage.legs.waitFor(placed.providerCallId!);
    expect(leg.headers).toEqual({ callId: placed.callId });
    await leg.whenHeard(0, 10);
    await leg.whenAgentQuiet();
    openai.enqueue({ text: 'Great, I will connect you with the front desk.' });
    await say(leg, 'Yes that works');
    await eventually(async () => ((await server.app.ports.db.turns.list(placed.callId)).length === 3 ? true : undefined), 20_000);
    await callOk(client, 'comms_transfer_call', { callId: placed.callId, to: HUMAN });
    await leg.waitForEnd();
    // Our server closed the socket; the NCCO's notify asked what next, and the answer connected the person.
    expect(leg.end).toMatchObject({ by: 'agent' });
    expect(leg.dialed).toMatchObject({ number: HUMAN, callerId: AGENT_NUMBER });
    expect(leg.invalid).toEqual([]);
    expect(leg.heardSpeechMs()).toBeGreaterThan(1000);
    const view = await callView(placed.callId, (v) => v.history.some((h) => h.status === 'transferred'));
    expect(view.metadata.transferredTo).toBe(HUMAN);
    expect(view.transcript.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
    expect(vonage.specViolations).toEqual([]);
  }, 60_000);

  it('refuses a socket upgrade without the token signed for that call, or with one for another call', async () => {
    const { leg, callId } = await incomingCall();
    await leg.whenHeard(0, 1);
    const signed = new URL(leg.uri);
    const unsigned = new URL(signed);
    unsigned.searchParams.delete('token');
    const otherCall = new URL(signed);
    otherCall.pathname = otherCall.pathname.replace(callId, 'call_someone_else');
    const forged = new URL(signed);
    forged.searchParams.set('token', `${signed.searchParams.get('token')!.slice(0, -4)}AAAA`);
    for (const uri of [unsigned, otherCall, forged]) {
      const fake = await vonage.legs.connect({ ...vonage.calls.at(-1)!, uuid: `probe-${uri.pathname.length}-${uri.search.length}` }, { type: 'websocket', uri: uri.toString(), 'content-type': 'audio/l16;rate=16000', headers: {} });
      expect(fake.state, uri.toString()).toBe('refused');
      expect(fake.refusedStatus).toBe(403);
    }
    await leg.hangUp();
  }, 60_000);
});

describe('answering-machine detection on Vonage (advanced machine detection, detect_beep)', () => {
  const placedCall = (providerCallId: string) => vonage.calls.find((c) => c.uuid === providerCallId)!;

  it('a person answers: the held call is transferred to the conversation, and the result is in the call record', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: PERSON, purpose: 'Confirm the appointment.', firstSentence: 'Hi, this is Example Dental.', detectMachine: true });
    expect(placedCall(placed.providerCallId!).body.advanced_machine_detection).toEqual({ behavior: 'continue', mode: 'detect_beep', beep_timeout: 45 });
    const leg = await vonage.legs.waitFor(placed.providerCallId!);
    await leg.whenHeard(0, 10);
    await leg.whenAgentQuiet();
    await leg.hangUp();
    expect(placedCall(placed.providerCallId!).timeline).toEqual(['human', 'socket']);
    const view = await callView(placed.callId, (v) => v.status === 'completed');
    expect(view.metadata.answeredBy).toBe('human');
    expect(view.transcript.map((t) => [t.speaker, t.text])).toEqual([['agent', 'Hi, this is Example Dental.']]);
  }, 60_000);

  it('a machine answers a live call: after its beep, the brain\'s voicemail is spoken, and the agent never talked over the greeting', async () => {
    vonage.detectAs('machine');
    openai.enqueue({ text: 'Hello, this is Example Dental about your Tuesday appointment. Please call us back.' });
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: VOICEMAIL_BOX, purpose: 'Confirm the appointment on Tuesday.', detectMachine: true });
    const view = await callView(placed.callId, (v) => v.status === 'completed');
    expect(view.metadata.answeredBy).toBe('machine');
    expect(placedCall(placed.providerCallId!).timeline).toEqual(['machine', 'beep', 'talk Hello, this is Example Dental about your Tuesday appointment. Please call us back.']);
    expect(view.transcript.map((t) => t.speaker)).toEqual(['agent']);
    expect(vonage.legs.of(placed.providerCallId!)).toBeUndefined();
  }, 60_000);

  it('a voice message to a machine is played after the beep: a real voicemail', async () => {
    vonage.detectAs('machine');
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: VOICEMAIL_BOX, text: 'Your appointment is on Tuesday at ten.', detectMachine: true });
    const view = await callView(placed.callId, (v) => v.status === 'completed');
    expect(view.metadata.answeredBy).toBe('machine');
    const timeline = placedCall(placed.providerCallId!).timeline;
    expect(timeline.slice(0, 2)).toEqual(['machine', 'beep']);
    expect(timeline.slice(2)).toEqual([expect.stringMatching(/^play http:\/\/127\.0\.0\.1:\d+\//)]);
    expect(vonage.playbackProblems).toEqual([]);
    expect(vonage.specViolations, JSON.stringify(vonage.specViolations)).toEqual([]);
  }, 60_000);
});

describe('recorded live calls over Vonage (NCCO record action)', () => {
  const placedCall = (providerCallId: string) => vonage.calls.find((c) => c.uuid === providerCallId)!;

  it('comms_make_call with record: the announcement, then the call recorded; the file fetched with the application JWT, stored and linked with its length', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: RECORDED, purpose: 'Say hello.', firstSentence: 'Hi, this is Example Dental.', record: true });
    const leg = await vonage.legs.waitFor(placed.providerCallId!);
    await leg.whenHeard(0, 10);
    await leg.whenAgentQuiet();
    await leg.hangUp();
    expect(placedCall(placed.providerCallId!).timeline).toEqual(['talk This call is recorded.', 'record', 'socket']);

    const view = await callView(placed.callId, (v) => v.recording !== null);
    const recording = vonage.recordings.find((r) => r.callUuid === placed.providerCallId)!;
    expect(recording.callbackStatus).toBe(200);
    expect(view.recording!.durationSeconds).toBe(recording.durationSeconds);
    const download = await fetch(view.recording!.url);
    expect(download.status).toBe(200);
    expect(parseWav(new Uint8Array(await download.arrayBuffer())).data.length).toBe(recording.durationSeconds * 16_000 * 2);
    // Our server fetched the file with the application's JWT; without one Vonage refuses it.
    const fileRequests = vonage.requests.filter((r) => r.path === `/v1/files/${recording.fileUuid}`);
    expect(fileRequests.map((r) => /^Bearer /.test(r.headers.authorization ?? ''))).toEqual([true]);
    expect((await fetch(`${vonage.baseUrl}/v1/files/${recording.fileUuid}`)).status).toBe(401);
    expect(vonage.specViolations).toEqual([]);
  }, 60_000);

  it('stores a recording once when its event is replayed, even racing the first delivery: one download, its Vonage ids recorded', async () => {
    vonage.deliverNextRecordingEventTimes(3);
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: RECORDED, purpose: 'Say hello.', firstSentence: 'Hi, this is Example Dental.', record: true });
    const leg = await vonage.legs.waitFor(placed.providerCallId!);
    await leg.whenHeard(0, 10);
    await leg.whenAgentQuiet();
    await leg.hangUp();
    await callView(placed.callId, (v) => v.recording !== null);
    const recording = await eventually(() => vonage.recordings.find((r) => r.callUuid === placed.providerCallId && r.callbackStatuses.length === 3));
    // Every copy is acknowledged (a refusal would only make Vonage retry), but the file is fetched once.
    expect(recording.callbackStatuses).toEqual([200, 200, 200]);
    const fetchRecording = () => vonage.requests.filter((r) => r.path === `/v1/files/${recording.fileUuid}`).length;
    expect(fetchRecording()).toBe(1);
    const stored = (await server.app.ports.db.calls.findById(placed.callId))!.metadata.recording as Record<string, unknown>;
    expect(stored).toMatchObject({ providerRecordingId: recording.recordingUuid, providerConversationId: recording.conversationUuid });

    // A replay long after: acknowledged, nothing fetched or stored again.
    const url = recording.eventUrl;
    const body = {
      start_time: new Date().toISOString(), end_time: new Date().toISOString(), recording_url: `${vonage.baseUrl}/v1/files/${recording.fileUuid}`,
      recording_uuid: recording.recordingUuid, conversation_uuid: recording.conversationUuid,
    };
    const replayed = signVonageWebhook(vonage, url, body, 'valid', new Date());
    expect((await fetch(url, { method: 'POST', headers: replayed.headers, body: replayed.rawBody })).status).toBe(200);
    expect(fetchRecording()).toBe(1);
    expect((await server.app.ports.db.calls.findById(placed.callId))!.metadata.recording).toEqual(stored);
  }, 60_000);

  it('records the incoming calls of an agent set to record', async () => {
    await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId, voice: { record: true } });
    try {
      const { leg, callId } = await incomingCall();
      await leg.whenHeard(0, 10);
      await leg.whenAgentQuiet();
      await leg.hangUp();
      const view = await callView(callId, (v) => v.recording !== null);
      expect(view.recording!.url).toContain(`/storage/agents/${agentId}/recordings/`);
    } finally {
      await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId, voice: { record: false } });
    }
  }, 60_000);

  it('refuses a recording event that is not signed by Vonage (403), or that points outside Vonage (400), and stores nothing', async () => {
    const { leg, callId } = await incomingCall();
    await leg.hangUp();
    const url = `${server.url}/webhooks/${agentId}/voice/recording?call=${callId}`;
    const body = { start_time: new Date().toISOString(), end_time: new Date().toISOString(), recording_url: `${vonage.baseUrl}/v1/files/00000000-0000-4000-8000-000000000000`, conversation_uuid: 'CON-x' };
    const post = (webhook: { headers: Record<string, string>; rawBody: string }) => fetch(url, { method: 'POST', headers: webhook.headers, body: webhook.rawBody });
    expect((await post(signVonageWebhook(vonage, url, body, 'forged', new Date()))).status).toBe(403);
    const elsewhere = { ...body, recording_url: 'https://files.example.com/v1/files/00000000-0000-4000-8000-000000000000' };
    expect((await post(signVonageWebhook(vonage, url, elsewhere, 'valid', new Date()))).status).toBe(400);
    expect((await server.app.ports.db.calls.findById(callId))!.metadata.recording).toBeUndefined();
  }, 60_000);
});

describe('start-up with Vonage', () => {
  it('warns that live calls over Vonage need the media-stream transport, and does not when it is set', async () => {
    const telephony = {
      use: 'vonage',
      options: { apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, signatureSecret: vonage.signatureSecret, applicationId: vonage.applicationId, privateKey: vonage.privateKey, apiHost: vonage.baseUrl },
    };
    const relay = recordingLogger();
    await (await startTestServer({ logger: relay, telephony })).close();
    expect(relay.lines.some((l) => l.level === 'warn' && /voice\.transport: media-stream/.test(l.msg))).toBe(true);
    const media = recordingLogger();
    await (await startTestServer({ logger: media, telephony, extra: { stt: { use: 'mock' }, tts: { use: 'mock' }, voice: { transport: 'media-stream' } } })).close();
    expect(media.lines.some((l) => /voice\.transport: media-stream/.test(l.msg))).toBe(false);
  }, 60_000);
});
