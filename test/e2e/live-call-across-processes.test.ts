import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { createAgentOver, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { OpenAiSimulator } from '../simulators/llm/openai-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100092';
const CALLER = '+15550100193';
const HUMAN = '+15550100194';

/**
 * Two real server processes on one PostgreSQL schema: a caller's live conversation runs on A's voice socket,
 * and the agent, connected over MCP to B, transfers it. B does not hold the socket: its request reaches A.
 */
describe.skipIf(!POSTGRES_URL)('live-call control across two server processes on PostgreSQL', { timeout: 120_000 }, () => {
  const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  const openai = new OpenAiSimulator();
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    await Promise.all([twilio.start(), openai.start()]);
    schemas = await postgresSchemas(POSTGRES_URL!);
    const config = serverProcessConfig({
      db: { use: 'postgresql', options: { url: POSTGRES_URL, schema: schemas.fresh() } },
      telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
      brain: { use: 'openai-compatible', options: { baseUrl: openai.baseUrl, apiKey: openai.apiKey, model: 'gpt-sim', timeoutMs: 3000, idleTimeoutMs: 1000 } },
    });
    a = await startServerProcess(config);
    b = await startServerProcess(config);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await schemas?.close();
    await Promise.all([twilio.stop(), openai.stop()]);
  });

  it('transfers through B a conversation whose socket A holds', async () => {
    const agent = await createAgentOver(a.url, { name: 'Receptionist', phone: AGENT_NUMBER });
    const call = await twilio.placeIncomingCall({
      voiceUrl: `${a.url}/webhooks/${agent.agentId}/voice`, from: CALLER, to: AGENT_NUMBER, statusCallbackUrl: `${a.url}/webhooks/${agent.agentId}/voice/status`,
    });
    const onB = await connectHttpClient(b.url, agent.token);
    try {
      const calls = await eventually(async () => {
        const listed = await callOk<{ calls: Array<{ callId: string; status: string }> }>(onB, 'comms_list_calls', {});
        return listed.calls.find((c) => c.status === 'in-progress');
      });
      await callOk(onB, 'comms_transfer_call', { callId: calls.callId, to: HUMAN });
      await call.waitForEnd();
      expect(call.dialed).toMatchObject({ number: HUMAN, callerId: AGENT_NUMBER });
    } finally {
      await onB.close();
    }
  });
});
