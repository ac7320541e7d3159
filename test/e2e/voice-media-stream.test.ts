import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callViewPoller, expectCutReply, speakOverTheReply, type TranscriptTurn } from '../support/caller-line-scenarios.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { spokenMulaw } from '../support/spoken-audio.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { DeepgramSimulator } from '../simulators/deepgram/deepgram-simulator.js';
import { OpenAiSimulator } from '../simulators/llm/openai-simulator.js';
import type { SimulatedMediaStream } from '../simulators/twilio/simulated-media-stream.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100071';
const CALLER = '+15550100171';
const HUMAN = '+15550100172';

interface CallView {
  callId: string; status: string; providerCallId: string | null; history: Array<{ status: string }>;
  metadata: Record<string, unknown>; transcript: TranscriptTurn[]; latency: Record<string, unknown> | null; price: string | null; currency: string | null;
}

const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
const deepgram = new DeepgramSimulator();
const openai = new OpenAiSimulator();
let server: TestServer;
let agentId: string;
let client: Client;

beforeAll(async () => {
  await Promise.all([twilio.start(), deepgram.start(), openai.start()]);
  server = await startTestServer({
    telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
    extra: {
      brain: { use: 'openai-compatible', options: { baseUrl: openai.baseUrl, apiKey: openai.apiKey, model: 'gpt-sim', timeoutMs: 5000, idleTimeoutMs: 3000 } },
      stt: { use: 'deepgram', options: { apiKey: deepgram.apiKey, baseUrl: deepgram.baseUrl, endpointingMs: 300 } },
      tts: { use: 'espeak' },
      voice: { transport: 'media-stream', apology: 'Sorry, say that again?' },
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
  await Promise.all([twilio.stop(), deepgram.stop(), openai.stop()]);
});
afterEach(() => {
  openai.reset();
});

const voiceUrl = (): string => `${server.url}/webhooks/${agentId}/voice`;
const statusUrl = (): string => `${server.url}/webhooks/${agentId}/voice/status`;

/** The caller says `text` in real time; the recogniser is scripted to hear exactly that. */
async function say(call: SimulatedMediaStream, text: string): Promise<void> {
  deepgram.hear(text);
  await call.say(await spokenMulaw(text, 600));
}

const callView = callViewPoller<CallView>(() => client);

async function latestCallId(): Promise<string> {
  const [latest] = await server.app.ports.db.calls.list({ agentId, limit: 1 });
  return latest!.id;
}

describe('live conversation over a Twilio Media Stream: Deepgram hears, espeak speaks', () => {
  it('greets, answers each turn with paced μ-law speech, takes DTMF, and stores the transcript with its latency breakdown', async () => {
    const call = await twilio.placeIncomingStreamCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER, statusCallbackUrl: statusUrl() });
    expect(call.state).toBe('open');
    await call.whenHeard(0, 10);
    await call.whenAgentQuiet();
    const greetingHeard = call.heardSpeechMs();
    expect(greetingHeard).toBeGreaterThan(500);

    openai.enqueue({ text: 'Of course. Which day suits you?' }, { text: 'Tuesday at ten it is.' }, { text: 'You pressed one: confirmed.' });
    const beforeFirst = call.heard.length;
    await say(call, 'I need an appointment');
    await call.whenHeard(beforeFirst, 10);
    await call.whenAgentQuiet();
    expect(call.heardSpeechMs(beforeFirst)).toBeGreaterThan(500);
    expect(JSON.stringify(openai.lastRequest())).toContain('I need an appointment');
    expect(JSON.stringify(openai.lastRequest())).toContain('Hello, Example Dental.');

    await say(call, 'Tuesday at ten');
    await call.whenHeard(call.heard.length, 10);
    await call.whenAgentQuiet();
    const beforeKey = call.heard.length;
    call.dtmf('1');
    await call.whenHeard(beforeKey, 10);
    await call.whenAgentQuiet();
    await call.hangUp();

    // Every frame our server sent was a valid 20 ms μ-law frame of this stream; every mark came back.
    expect(call.invalid).toEqual([]);
    expect(call.outbound.length).toBeGreaterThan(100);
    expect(call.marksEchoed).toEqual(call.marksSent);
    expect(call.clears).toBe(0);

    const view = await callView(await latestCallId(), (v) => v.status === 'completed' && v.transcript.length === 7);
    expect(view.transcript.map((t) => [t.speaker, t.text])).toEqual([
      ['agent', 'Hello, Example Dental.'],
      ['caller', 'I need an appointment'], ['agent', 'Of course. Which day suits you?'],
      ['caller', 'Tuesday at ten'], ['agent', 'Tuesday at ten it is.'],
      ['caller', '(the caller pressed 1)'], ['agent', 'You pressed one: confirmed.'],
    ]);
    // Answers to speech are timed from the caller's last word to the first frame sent; a key press has no speech end.
    for (const turn of [view.transcript[2]!, view.transcript[4]!]) {
      expect(turn.latency).not.toBeNull();
      for (const stage of ['sttMs', 'brainMs', 'ttsMs', 'sendMs', 'totalMs']) expect(turn.latency?.[stage]).toEqual(expect.any(Number));
      expect(turn.latency!.totalMs).toBeGreaterThanOrEqual(turn.latency!.brainMs! + turn.latency!.ttsMs!);
    }
    expect(view.transcript[6]!.latency).toMatchObject({ sttMs: null, totalMs: null, brainMs: expect.any(Number), sendMs: expect.any(Number) });
    expect(view.latency).toMatchObject({ turns: 3, totalMs: { turns: 2 }, brainMs: { turns: 3 } });
    // The status callback carries no price; the finished Call resource does, and it is fetched.
    const priced = await callView(view.callId, (v) => v.price !== null);
    expect(priced).toMatchObject({ price: expect.stringMatching(/^-0\.0\d{5}$/), currency: 'USD' });
    expect(twilio.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/Calls/${view.providerCallId}.json`))).toBe(true);
  }, 60_000);

  it('barge-in: the caller speaking over the reply clears the audio, cancels the brain, and keeps only what was heard', async () => {
    const call = await twilio.placeIncomingStreamCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER, statusCallbackUrl: statusUrl() });
    await speakOverTheReply(call, openai, (text) => say(call, text));

    const view = await callView(await latestCallId(), (v) => v.status === 'completed' && v.transcript.length === 5);
    expectCutReply(view.transcript);
    expect(JSON.stringify(openai.lastRequest())).not.toContain('Friday');
  }, 60_000);

  it('outbound: comms_make_call speaks the first sentence, converses, then transfers to a person', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: CALLER, purpose: 'Confirm the appointment.', firstSentence: 'Hi, this is Example Dental.' });
    const call = await twilio.waitForMediaStream(placed.providerCallId!, { timeoutMs: 10_000 });
    expect(call.parameters).toMatchObject({ callId: placed.callId });
    await call.whenHeard(0, 10);
    await call.whenAgentQuiet();
    openai.enqueue({ text: 'Great, I will connect you with the front desk.' });
    await say(call, 'Yes that works');
    await eventually(async () => ((await server.app.ports.db.turns.list(placed.callId)).length === 3 ? true : undefined), 20_000);
    await callOk(client, 'comms_transfer_call', { callId: placed.callId, to: HUMAN });
    await call.waitForEnd();
    expect(call.dialed).toMatchObject({ number: HUMAN, callerId: AGENT_NUMBER });
    expect(call.heardSpeechMs()).toBeGreaterThan(1000);
    const view = await callView(placed.callId, (v) => v.history.some((h) => h.status === 'transferred'));
    expect(view.metadata.transferredTo).toBe(HUMAN);
    expect(view.transcript.map((t) => t.speaker)).toEqual(['agent', 'caller', 'agent']);
  }, 60_000);

  it('apologises and hangs up when the recogniser cannot be reached, rather than leaving the caller in silence', async () => {
    deepgram.refuseNext(503);
    const call = await twilio.placeIncomingStreamCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER, statusCallbackUrl: statusUrl() });
    await call.waitForEnd();
    expect(call.heardSpeechMs()).toBeGreaterThan(500);
    expect(call.end).toMatchObject({ by: 'agent' });
    expect(call.hungUp).toBe(true);
    const view = await callView(await latestCallId(), (v) => v.status === 'completed');
    expect(view.transcript.map((t) => [t.speaker, t.text])).toEqual([['agent', 'Sorry, say that again?']]);
  }, 60_000);

  it('refuses a media socket whose upgrade signature is forged', async () => {
    const forged = await twilio.placeIncomingStreamCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER, socketSignature: 'forged' });
    expect(forged.state).toBe('refused');
    expect(forged.refusedStatus).toBe(403);
  });
});
