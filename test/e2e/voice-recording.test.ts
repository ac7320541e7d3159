import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../adapters/audio/wav.js';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100081';
const CALLER = '+15550100181';

interface CallView { callId: string; providerCallId: string | null; status: string; recording: { url: string; durationSeconds: number | null } | null }

const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER, AGENT_NUMBER.replace('81', '83')], callbackDelayMs: 5 });
let server: TestServer;
let agentId: string;
let client: Client;

beforeAll(async () => {
  await twilio.start();
  server = await startTestServer({
    telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
    extra: { brain: { use: 'mock', options: { replies: ['Noted.'] } }, storage: { use: 'local' }, voice: { recordingAnnouncement: 'This call is recorded.' } },
  });
  const agent = await server.createAgent({ name: 'Recorder', phone: AGENT_NUMBER });
  agentId = agent.agentId;
  client = await connectHttpClient(server.url, agent.token);
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await twilio.stop();
});

async function recorded(callId: string): Promise<CallView> {
  return eventually(async () => {
    const view = await callOk<CallView>(client, 'comms_get_call', { callId });
    return view.recording ? view : undefined;
  }, 15_000);
}

describe('recorded calls', () => {
  it('comms_make_call with record: the consent announcement plays first, the recording is fetched, stored and linked with its length', async () => {
    const placed = await callOk<CallView>(client, 'comms_make_call', { to: CALLER, purpose: 'Say hello.', record: true });
    const call = await twilio.waitForConversation(placed.providerCallId!);
    expect((await call.say('Hello')).text).toBe('Noted.');
    await call.hangUp();
    const simulated = twilio.calls.find((c) => c.sid === placed.providerCallId)!;
    expect(simulated.said).toEqual(['This call is recorded.']);

    const view = await recorded(placed.callId);
    const recording = twilio.recordings.find((r) => r.callSid === placed.providerCallId)!;
    expect(recording.callbackStatus).toBe(200);
    expect(view.recording!.durationSeconds).toBe(recording.durationSeconds);
    const download = await fetch(view.recording!.url);
    expect(download.status).toBe(200);
    const wav = parseWav(new Uint8Array(await download.arrayBuffer()));
    expect(wav.data.length).toBe(recording.durationSeconds * 8000 * 2);
    // The link is signed: tampering with it is refused.
    expect((await fetch(view.recording!.url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(404);
  });

  it('records incoming calls of an agent set to record', async () => {
    await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId, voice: { record: true } });
    const call = await twilio.placeIncomingCall({ voiceUrl: `${server.url}/webhooks/${agentId}/voice`, from: CALLER, to: AGENT_NUMBER, statusCallbackUrl: `${server.url}/webhooks/${agentId}/voice/status` });
    await call.say('Hi there');
    await call.hangUp();
    const [latest] = await server.app.ports.db.calls.list({ agentId, limit: 1 });
    const view = await recorded(latest!.id);
    expect(view.recording!.url).toContain(`/storage/agents/${agentId}/recordings/`);
    await server.app.runner.run('comms_update_agent', { kind: 'admin' }, { agentId, voice: {} });
  });

  it('ignores a forged recording webhook (403) and stores nothing', async () => {
    const url = `${server.url}/webhooks/${agentId}/voice/recording`;
    const body = new URLSearchParams({ CallSid: 'CA00000000000000000000000000000000', RecordingSid: `RE${'0'.repeat(32)}`, RecordingStatus: 'completed' }).toString();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' }, body });
    expect(res.status).toBe(403);
  });
});

describe('recording consent by jurisdiction', () => {
  it('announces recording only where every party must consent, with the default announcement', async () => {
    const scoped = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
      extra: {
        brain: { use: 'mock', options: { replies: ['Noted.'] } }, storage: { use: 'local' },
        compliance: { quietHours: { enabled: false }, recordingConsent: { allPartyJurisdictions: ['DE'] } },
      },
    });
    try {
      const agent = await scoped.createAgent({ name: 'Scoped recorder', phone: AGENT_NUMBER.replace('81', '83') });
      const mcp = await connectHttpClient(scoped.url, agent.token);
      const said = async (to: string): Promise<string[]> => {
        const placed = await callOk<CallView>(mcp, 'comms_make_call', { to, purpose: 'Say hello.', record: true });
        const call = await twilio.waitForConversation(placed.providerCallId!);
        await call.hangUp();
        return twilio.calls.find((c) => c.sid === placed.providerCallId)!.said;
      };
      expect(await said('+4930555017301')).toEqual(['This call is recorded.']);
      expect(await said('+12125550183')).toEqual([]);
      await mcp.close();
    } finally {
      await scoped.close();
    }
  });
});

describe('recording needs somewhere to keep it', () => {
  it('refuses record: true without a storage adapter, placing no call', async () => {
    const bare = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
      extra: { brain: { use: 'mock', options: {} } },
    });
    try {
      const agent = await bare.createAgent({ name: 'No storage', phone: AGENT_NUMBER.replace('81', '82') });
      const before = twilio.calls.length;
      const mcp = await connectHttpClient(bare.url, agent.token);
      expect((await callErr(mcp, 'comms_make_call', { to: CALLER, purpose: 'x', record: true })).code).toBe('CHANNEL_NOT_CONFIGURED');
      await mcp.close();
      expect(twilio.calls.length).toBe(before);
    } finally {
      await bare.close();
    }
  });
});
