import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100041';
const HUMAN = '+15550100141';
const MACHINE = '+15550100142';
const FAX = '+15550100143';
const VOICEMAIL = 'Hi, this is Example Dental about your appointment on Tuesday. Please call us back.';

interface CallView {
  callId: string; status: string; providerCallId: string | null; metadata: Record<string, unknown>;
  transcript: Array<{ speaker: string; text: string }>;
}

const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
let server: TestServer;
let client: Client;
let agentId: string;

beforeAll(async () => {
  await twilio.start();
  twilio.detectAs(MACHINE, 'machine_end_beep', 6);
  twilio.detectAs(FAX, 'fax');
  server = await startTestServer({
    telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
    // Six calls in a minute from one agent: usage limits (tested elsewhere) are off here.
    extra: { tts: { use: 'mock' }, storage: { use: 'local' }, brain: { use: 'mock', options: { replies: [VOICEMAIL] } }, usage: { enabled: false } },
  });
  const agent = await server.createAgent({ name: 'Example Dental', phone: AGENT_NUMBER });
  agentId = agent.agentId;
  client = await connectHttpClient(server.url, agent.token);
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await twilio.stop();
});

async function finished(callId: string): Promise<CallView> {
  return eventually(async () => {
    const view = await callOk<CallView>(client, 'comms_get_call', { callId });
    return view.status === 'completed' ? view : undefined;
  }, 15_000);
}

const simulated = (sid: string | null) => twilio.calls.find((c) => c.sid === sid)!;

describe('answering-machine detection', () => {
  it('a voice message to a machine plays after the greeting\'s beep, whole: a real voicemail', async () => {
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: MACHINE, text: 'Your appointment is on Tuesday at ten.', detectMachine: true });
    const view = await finished(placed.callId);
    expect(view.metadata.answeredBy).toBe('machine');
    const call = simulated(placed.providerCallId);
    expect(call.machineDetection).toBe('DetectMessageEnd');
    expect(call.answeredBy).toBe('machine_end_beep');
    expect(call.detectedAfterSeconds).toBeGreaterThanOrEqual(6);
    expect(call.played).toHaveLength(1);
    expect(call.played[0]!.times).toBe(1);
  });

  it('a voice message to a person plays as soon as detection is done', async () => {
    const placed = await callOk<CallView>(client, 'comms_send_voice_message', { to: HUMAN, text: 'Your appointment is on Tuesday at ten.', detectMachine: true, repeat: 2 });
    const view = await finished(placed.callId);
    expect(view.metadata.answeredBy).toBe('human');
    expect(simulated(placed.providerCallId).played[0]!.times).toBe(2);
  });

  it('a live call that reaches a machine leaves a voicemail worded from its purpose after the beep, without a conversation', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: MACHINE, purpose: 'Confirm the appointment on Tuesday.', detectMachine: true });
    const view = await finished(placed.callId);
    expect(view.metadata.answeredBy).toBe('machine');
    const call = simulated(placed.providerCallId);
    expect(call.said).toEqual([VOICEMAIL]);
    expect(twilio.conversations.some((c) => c.callSid === call.sid)).toBe(false);
    expect(view.transcript.map((t) => [t.speaker, t.text])).toEqual([['agent', VOICEMAIL]]);
  });

  it('hangs up on a machine when the agent says so, and on a fax', async () => {
    await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId, voice: { onMachine: 'hangup' } });
    try {
      const placed = await callOk<CallView>(client, 'comms_make_call', { to: MACHINE, purpose: 'Confirm.', detectMachine: true });
      expect((await finished(placed.callId)).transcript).toEqual([]);
      expect(simulated(placed.providerCallId).said).toEqual([]);
      const fax = await callOk<CallView>(client, 'comms_send_voice_message', { to: FAX, text: 'Hello.', detectMachine: true });
      expect((await finished(fax.callId)).metadata.answeredBy).toBe('fax');
      expect(simulated(fax.providerCallId).played).toEqual([]);
    } finally {
      await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId, voice: {} });
    }
  });

  it('a live call answered by a person starts the conversation only then', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: HUMAN, purpose: 'Confirm the appointment.', detectMachine: true });
    const conversation = await twilio.waitForConversation(placed.providerCallId!, { timeoutMs: 10_000 });
    expect(conversation.state).toBe('open');
    expect((await conversation.say('Hello?')).text).toBe(VOICEMAIL);
    await conversation.hangUp();
    const view = await finished(placed.callId);
    expect(view.metadata.answeredBy).toBe('human');
  });

  it('refuses detectMachine on an adapter that cannot detect (demo mode), placing no call', async () => {
    const demo = await startTestServer({ extra: { brain: { use: 'mock', options: {} } } });
    try {
      const agent = await demo.createAgent({ name: 'Demo', phone: '+15550100049' });
      const mcp = await connectHttpClient(demo.url, agent.token);
      expect((await callErr(mcp, 'comms_make_call', { to: HUMAN, purpose: 'x', detectMachine: true })).code).toBe('CHANNEL_NOT_CONFIGURED');
      await mcp.close();
      expect(await demo.app.ports.db.calls.list({ agentId: agent.agentId, limit: 5 })).toEqual([]);
    } finally {
      await demo.close();
    }
  });
});
