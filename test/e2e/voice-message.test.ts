import { createRequire } from 'node:module';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { tempDir } from '../support/plugin-context.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { EdgeTtsSimulator } from '../simulators/edge-tts/edge-tts-simulator.js';
import { ElevenLabsSimulator } from '../simulators/elevenlabs/elevenlabs-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100051';
const PERSON = '+15550100152';

interface CallView {
  callId: string; status: string; providerCallId: string | null; audioUrl: string | null; durationSeconds: number | null;
  history: Array<{ status: string; at: string }>; errorCode: string | null;
}

const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
const elevenlabs = new ElevenLabsSimulator();
const edge = new EdgeTtsSimulator();

beforeAll(async () => {
  await Promise.all([twilio.start(), elevenlabs.start(), edge.start()]);
});
afterAll(async () => {
  await Promise.all([twilio.stop(), elevenlabs.stop(), edge.stop()]);
});

const telephony = () => ({ use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } });

const TTS_ADAPTERS: Array<[string, () => { use: string; options?: Record<string, unknown> }]> = [
  ['elevenlabs', () => ({ use: 'elevenlabs', options: { apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.baseUrl, timeoutMs: 3000 } })],
  ['edge', () => ({ use: 'edge', options: { wssUrl: edge.wssUrl, timeoutMs: 5000 } })],
  ['espeak', () => ({ use: 'espeak' })],
  ['mock', () => ({ use: 'mock' })],
];

describe.each(TTS_ADAPTERS)('voice message end to end with %s TTS, local storage and the Twilio simulator', (_name, tts) => {
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer({ telephony: telephony(), extra: { tts: tts(), storage: { use: 'local' } } });
    const agent = await server.createAgent({ name: 'Voice agent', phone: AGENT_NUMBER });
    client = await connectHttpClient(server.url, agent.token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('speaks the text in a call that plays real audio, and logs the call to completion with its duration', async () => {
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: PERSON, text: 'Hello, this is your reminder for Tuesday.', repeat: 2 });
    expect(placed.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(placed.audioUrl?.startsWith(`${server.url}/storage/`)).toBe(true);
    const done = await eventually(async () => {
      const call = await callOk<CallView>(client, 'comms_get_call', { callId: placed.callId });
      return call.status === 'completed' ? call : undefined;
    });
    expect(done.durationSeconds).toBeGreaterThan(0);
    expect(done.history.map((h) => h.status)).toEqual(['queued', 'initiated', 'ringing', 'in-progress', 'completed']);
    const far = twilio.calls.find((c) => c.sid === placed.providerCallId)!;
    expect(far.played).toHaveLength(1);
    expect(far.played[0]!.bytes).toBeGreaterThan(100);
    expect(far.played[0]!.url).toBe(placed.audioUrl);
    expect(twilio.playbackProblems).toEqual([]);
    expect(twilio.specViolations).toEqual([]);
  });
});

describe('voice message failures and fallbacks', () => {
  let server: TestServer;
  let client: Client;
  let agentId: string;

  beforeAll(async () => {
    server = await startTestServer({
      telephony: telephony(),
      extra: { tts: { use: 'elevenlabs', options: { apiKey: elevenlabs.apiKey, baseUrl: elevenlabs.baseUrl, timeoutMs: 1500 } }, storage: { use: 'local' } },
    });
    const agent = await server.createAgent({ name: 'Voice agent 2', phone: AGENT_NUMBER });
    agentId = agent.agentId;
    client = await connectHttpClient(server.url, agent.token);
  });
  afterEach(() => {
    twilio.answerCalls('answer');
    twilio.clearFaults();
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  const storedCalls = async (): Promise<number> => (await server.app.ports.db.calls.list({ agentId, limit: 100 })).length;

  it('refuses bad input and TTS failures with codes, placing no call and storing nothing', async () => {
    const calls = twilio.calls.length;
    const logs = await storedCalls();
    expect((await callErr(client, 'comms_send_voice_message', { to: PERSON, text: '' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_voice_message', { to: PERSON, text: '   ' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_voice_message', { to: PERSON, text: 'x'.repeat(3001) })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_voice_message', { to: '555', text: 'hi' })).code).toBe('INVALID_PHONE_NUMBER');
    expect((await callErr(client, 'comms_send_voice_message', { to: PERSON, text: 'hi', voice: 'no-such-voice' })).code).toBe('UNKNOWN_VOICE');
    elevenlabs.failNext({ status: 503 });
    expect((await callErr(client, 'comms_send_voice_message', { to: PERSON, text: 'hi' })).code).toBe('PROVIDER_UNAVAILABLE');
    expect(twilio.calls.length).toBe(calls);
    expect(await storedCalls()).toBe(logs);
  });

  it('records a telephony failure on the call log with its code', async () => {
    twilio.failNext({ status: 500 });
    const error = await callErr(client, 'comms_send_voice_message', { to: PERSON, text: 'during an outage' });
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    const call = await callOk<CallView>(client, 'comms_get_call', { callId: String(error.details.callId) });
    expect(call).toMatchObject({ status: 'failed', errorCode: 'PROVIDER_UNAVAILABLE', providerCallId: null });
  });

  it('sends the SMS fallback once when nobody answers', async () => {
    twilio.answerCalls('no-answer', { to: '+15550100153' });
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: '+15550100153', text: 'Please call back.', smsFallback: 'We tried to call you: please call back.' });
    const ended = await eventually(async () => {
      const call = await callOk<CallView>(client, 'comms_get_call', { callId: placed.callId });
      return call.status === 'no-answer' ? call : undefined;
    });
    expect(ended.durationSeconds ?? 0).toBe(0);
    const sms = await eventually(() => twilio.messages.find((m) => m.to === '+15550100153'));
    expect(sms.body).toBe('We tried to call you: please call back.');
    await new Promise((r) => setTimeout(r, 200));
    expect(twilio.messages.filter((m) => m.to === '+15550100153')).toHaveLength(1);
  });

  it('lists the agent\'s calls newest first with a cursor', async () => {
    const all = await callOk<{ calls: CallView[]; nextCursor: string | null }>(client, 'comms_list_calls', { limit: 100 });
    expect(all.calls.length).toBe(await storedCalls());
    const first = await callOk<{ calls: CallView[]; nextCursor: string | null }>(client, 'comms_list_calls', { limit: 1 });
    const second = await callOk<{ calls: CallView[]; nextCursor: string | null }>(client, 'comms_list_calls', { limit: 1, cursor: first.nextCursor });
    expect([first.calls[0]!.callId, second.calls[0]!.callId]).toEqual(all.calls.slice(0, 2).map((c) => c.callId));
    expect((await callErr(client, 'comms_list_calls', { cursor: 'nonsense' })).code).toBe('INVALID_INPUT');
  });

  it('serves stored audio only through unexpired, untampered URLs', async () => {
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: PERSON, text: 'Storage check.' });
    const url = new URL(placed.audioUrl!);
    expect((await fetch(url)).status).toBe(200);
    const tampered = new URL(url);
    tampered.searchParams.set('sig', '0'.repeat(64));
    expect((await fetch(tampered)).status).toBe(404);
    const expired = new URL(url);
    expired.searchParams.set('expires', '1000');
    expect((await fetch(expired)).status).toBe(404);
    const traversal = await fetch(`${server.url}/storage/..%2F..%2Fconfig.yaml?${url.searchParams}`);
    expect(traversal.status).toBe(404);
  });
});

describe('voice message with S3 storage (s3rver): the callee fetches the audio through a presigned URL', () => {
  interface S3rverInstance { run(): Promise<{ port: number }>; close(): Promise<void> }
  type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[] }) => S3rverInstance;
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: tempDir('agentos-s3-'), configureBuckets: [{ name: 'voice' }] });
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    const { port } = await s3.run();
    server = await startTestServer({
      telephony: telephony(),
      extra: {
        tts: { use: 'mock' },
        storage: { use: 's3', options: { bucket: 'voice', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true } },
      },
    });
    client = await connectHttpClient(server.url, (await server.createAgent({ name: 'S3 voice', phone: AGENT_NUMBER })).token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await s3.close();
  });

  it('places the call with a presigned S3 URL that the callee downloads and plays', async () => {
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: PERSON, text: 'Stored in S3.' });
    expect(placed.audioUrl).toContain('X-Amz-Signature=');
    await eventually(async () => ((await callOk<CallView>(client, 'comms_get_call', { callId: placed.callId })).status === 'completed' ? true : undefined));
    const far = twilio.calls.find((c) => c.sid === placed.providerCallId)!;
    expect(far.played[0]).toMatchObject({ url: placed.audioUrl });
    expect(far.played[0]!.bytes).toBeGreaterThan(100);
  });
});
