import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { AnthropicSimulator } from '../simulators/llm/anthropic-simulator.js';
import { OpenAiSimulator } from '../simulators/llm/openai-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100091';
const CALLER = '+15550100191';
const HUMAN = '+15550100192';

interface CallView {
  callId: string; status: string; direction: string; providerCallId: string | null;
  history: Array<{ status: string }>; metadata: Record<string, unknown>;
  transcript: Array<{ seq: number; speaker: string; text: string; interrupted: boolean }>;
}

const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
const openai = new OpenAiSimulator();
const anthropic = new AnthropicSimulator();

beforeAll(async () => {
  await Promise.all([twilio.start(), openai.start(), anthropic.start()]);
});
afterAll(async () => {
  await Promise.all([twilio.stop(), openai.stop(), anthropic.stop()]);
});

const telephony = () => ({ use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } });

async function serverWith(brain: { use: string; options: Record<string, unknown> }): Promise<{ server: TestServer; agentId: string; client: Client }> {
  const server = await startTestServer({ telephony: telephony(), extra: { brain, voice: { apology: 'Sorry, say that again?' } } });
  const agent = await server.createAgent({ name: 'Receptionist', phone: AGENT_NUMBER });
  await server.app.runner.run('comms_update_agent', { kind: 'admin' }, {
    agentId: agent.agentId, voice: { greeting: 'Hello, Example Dental, how can I help?', instructions: 'You are the receptionist of Example Dental.', language: 'en-US' },
  });
  return { server, agentId: agent.agentId, client: await connectHttpClient(server.url, agent.token) };
}

describe('live conversation: inbound call, OpenAI-compatible brain', () => {
  let env: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    env = await serverWith({ use: 'openai-compatible', options: { baseUrl: openai.baseUrl, apiKey: openai.apiKey, model: 'gpt-sim', timeoutMs: 3000, idleTimeoutMs: 1000 } });
  });
  afterEach(() => openai.reset());
  afterAll(async () => {
    await env.client.close();
    await env.server.close();
  });

  const voiceUrl = (): string => `${env.server.url}/webhooks/${env.agentId}/voice`;
  const statusCallbackUrl = (): string => `${env.server.url}/webhooks/${env.agentId}/voice/status`;

  it('greets the caller, answers each turn as a token stream, handles DTMF, and keeps the transcript', async () => {
    const call = await twilio.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER, statusCallbackUrl: statusCallbackUrl() });
    expect(call.welcomeGreeting).toBe('Hello, Example Dental, how can I help?');
    openai.enqueue({ text: 'Of course. Which day suits you?' }, { text: 'Tuesday at ten it is.' }, { text: 'You pressed one: confirmed.' });
    const first = await call.say('I need an appointment');
    expect(first.text).toBe('Of course. Which day suits you?');
    expect(first.tokens.length).toBeGreaterThan(3);
    const request = openai.lastRequest()!;
    expect(JSON.stringify(request)).toContain('You are the receptionist of Example Dental.');
    expect(JSON.stringify(request)).toContain('I need an appointment');
    expect((await call.say('Tuesday at ten')).text).toBe('Tuesday at ten it is.');
    call.dtmf('1');
    expect((await call.nextReply()).text).toBe('You pressed one: confirmed.');
    await call.hangUp();

    const { calls } = { calls: await env.server.app.ports.db.calls.list({ agentId: env.agentId, limit: 10 }) };
    const view = await eventually(async () => {
      const v = await callOk<CallView>(env.client, 'comms_get_call', { callId: calls[0]!.id });
      return v.status === 'completed' && v.transcript.length === 6 ? v : undefined;
    });
    expect(view.direction).toBe('inbound');
    expect(view.history.map((h) => h.status)).toEqual(['ringing', 'in-progress', 'completed']);
    expect(view.transcript.map((t) => [t.speaker, t.text])).toEqual([
      ['caller', 'I need an appointment'], ['agent', 'Of course. Which day suits you?'],
      ['caller', 'Tuesday at ten'], ['agent', 'Tuesday at ten it is.'],
      ['caller', '(the caller pressed 1)'], ['agent', 'You pressed one: confirmed.'],
    ]);
  });

  it('cancels the reply when the caller interrupts; the transcript keeps what was heard; the upstream stream is aborted', async () => {
    const call = await twilio.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER });
    openai.enqueue({ text: 'Let me read you our full list of opening hours for every day of the week, starting with Monday.', tokenDelayMs: 30 });
    openai.enqueue({ text: 'Saturday we are closed.' });
    const cut = await call.say('When are you open?', { interruptAfterTokens: 3 });
    expect(cut.interrupted).toBe(true);
    const heard = cut.text;
    const interruptedRequest = openai.requests.at(-1)!;
    await openai.finished(interruptedRequest, 2000);
    expect(interruptedRequest.clientAborted).toBe(true);
    expect((await call.say('Just Saturday')).text).toBe('Saturday we are closed.');
    expect(JSON.stringify(openai.lastRequest())).toContain(heard.trim());
    expect(JSON.stringify(openai.lastRequest())).not.toContain('starting with Monday');
    await call.hangUp();
    const [latest] = await env.server.app.ports.db.calls.list({ agentId: env.agentId, limit: 1 });
    const turns = await eventually(async () => {
      const list = await env.server.app.ports.db.turns.list(latest!.id);
      return list.length === 4 ? list : undefined;
    });
    expect(turns[1]).toMatchObject({ speaker: 'agent', text: heard, interrupted: true });
  });

  it('apologises when the brain fails mid-reply, and the call continues', async () => {
    const call = await twilio.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER });
    openai.enqueue({ text: 'I will check that for you right away', fault: { kind: 'error-mid-stream', afterTokens: 2 } });
    const broken = await call.say('Is Dr. Ada in today?');
    expect(broken.text.endsWith('Sorry, say that again?')).toBe(true);
    openai.enqueue({ text: 'Yes, she is in today.' });
    expect((await call.say('Is Dr. Ada in today?')).text).toBe('Yes, she is in today.');
    await call.hangUp();
  });

  it('refuses a socket whose signature is forged; tolerates malformed messages', async () => {
    const forged = await twilio.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER, socketSignature: 'forged' });
    expect(forged.state).toBe('refused');
    expect(forged.refusedStatus).toBe(403);

    const call = await twilio.placeIncomingCall({ voiceUrl: voiceUrl(), from: CALLER, to: AGENT_NUMBER });
    call.sendRaw('{not json');
    call.sendRaw(JSON.stringify({ type: 'prompt' }));
    openai.enqueue({ text: 'Still here.' });
    expect((await call.say('Hello?')).text).toBe('Still here.');
    await call.hangUp();
    expect((await fetch(`${env.server.url}/health`)).status).toBe(200);
  });

  it('refuses a forged incoming-call webhook with 403', async () => {
    const forged = twilio.buildIncomingCall({ url: voiceUrl(), from: CALLER, to: AGENT_NUMBER, signature: 'forged' });
    expect((await fetch(forged.url, { method: 'POST', headers: forged.headers, body: forged.rawBody })).status).toBe(403);
  });
});

describe('live conversation: outbound call with comms_make_call, Anthropic brain, transfer to a human', () => {
  let env: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    env = await serverWith({ use: 'anthropic', options: { baseUrl: anthropic.origin, apiKey: anthropic.apiKey, timeoutMs: 3000, idleTimeoutMs: 1000 } });
  });
  afterAll(async () => {
    await env.client.close();
    await env.server.close();
  });

  it('places the call, converses with the purpose as brief, then transfers the caller to a person', async () => {
    const placed = await callOk<CallView>(env.client, 'comms_make_call', {
      to: CALLER, purpose: 'Confirm the appointment on Tuesday at 10:00.', firstSentence: 'Hi, this is Example Dental calling about your appointment.',
    });
    expect(placed.providerCallId).toMatch(/^CA/);
    const call = await twilio.waitForConversation(placed.providerCallId!);
    expect(call.welcomeGreeting).toBe('Hi, this is Example Dental calling about your appointment.');
    anthropic.enqueue({ text: 'Great. Shall I connect you with the front desk?' });
    expect((await call.say('Yes, Tuesday works')).text).toBe('Great. Shall I connect you with the front desk?');
    expect(JSON.stringify(anthropic.lastRequest())).toContain('Confirm the appointment on Tuesday at 10:00.');

    await callOk(env.client, 'comms_transfer_call', { callId: placed.callId, to: HUMAN });
    await call.waitForEnd();
    expect(call.dialed).toMatchObject({ number: HUMAN, callerId: AGENT_NUMBER });
    const view = await eventually(async () => {
      const v = await callOk<CallView>(env.client, 'comms_get_call', { callId: placed.callId });
      return v.history.some((h) => h.status === 'transferred') ? v : undefined;
    });
    expect(view.metadata.transferredTo).toBe(HUMAN);
    expect(view.transcript.map((t) => t.speaker)).toEqual(['caller', 'agent']);
  });

  it('refuses to transfer a call that is not live, and ends live calls on request', async () => {
    const placed = await callOk<CallView>(env.client, 'comms_make_call', { to: CALLER, purpose: 'Say goodbye.' });
    expect((await callErr(env.client, 'comms_transfer_call', { callId: 'call_nope', to: HUMAN })).code).toBe('NOT_FOUND');
    const call = await twilio.waitForConversation(placed.providerCallId!);
    await eventually(() => (env.server.app.ports.liveCalls.get(placed.callId) ? true : undefined));
    expect((await callErr(env.client, 'comms_transfer_call', { callId: placed.callId, to: 'not-a-number' })).code).toBe('INVALID_PHONE_NUMBER');
    await callOk(env.client, 'comms_end_call', { callId: placed.callId });
    await call.waitForEnd();
    expect(call.hungUp).toBe(true);
  });
});
