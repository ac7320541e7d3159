import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { onSqliteAndPostgres } from '../support/each-database.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { restCall } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const FAR_FUTURE = new Date('2999-01-01T00:00:00Z');

interface Chosen { agentId: string; phone: string; source: string; webhooksToSet: unknown[] }
interface Status { steps: Array<{ step: string; done: boolean }> }

/**
 * Setup's `buy` source against the Twilio simulator: a number searched and bought, its webhooks pointed at the
 * URL setup checked, recorded by provisioning; a refused purchase leaves nothing behind, and running the step
 * again (after a failure, or twice) buys no second number. Through the MCP setup tool and its REST route.
 */
onSqliteAndPostgres((label, db) => {
  describe(`setup buys the first agent's number (${label})`, () => {
    const sim = new TwilioSimulator({ callbackDelayMs: 1 });
    let server: TestServer;
    let admin: Client;

    beforeAll(async () => {
      await sim.start();
      server = await startTestServer({
        db: db(),
        telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 5000 } },
      });
      admin = await connectHttpClient(server.url, ADMIN_TOKEN);
    });
    afterAll(async () => {
      await admin?.close();
      await server?.close();
      await sim.stop();
    });

    it('buys, points the webhooks here and records the number; a refusal leaves nothing and the retry buys once', async () => {
      const created = await restCall<{ agentId: string }>(server.url, ADMIN_TOKEN, 'POST', '/setup/agent', { name: 'First' });
      expect(created.status).toBe(201);
      const { agentId } = created.body;

      sim.phoneNumbers.failNextPurchase();
      expect((await callErr(admin, 'comms_setup_choose_number', { source: 'buy' })).code).toBe('PROVIDER_REJECTED');
      expect(sim.phoneNumbers.held.size).toBe(0);
      expect(await server.app.ports.db.provisioning.listStale('buying', FAR_FUTURE, 10)).toEqual([]);

      const chosen = await callOk<Chosen>(admin, 'comms_setup_choose_number', { source: 'buy' });
      expect(chosen).toEqual({ agentId, phone: expect.stringMatching(/^\+1555018\d{4}$/), source: 'buy', webhooksToSet: [] });
      expect(sim.phoneNumbers.purchases.map((n) => n.phoneNumber)).toEqual([chosen.phone]);
      expect(sim.phoneNumbers.byNumber(chosen.phone)).toMatchObject({
        smsUrl: `${server.url}/webhooks/${agentId}/sms`, voiceUrl: `${server.url}/webhooks/${agentId}/voice`, statusCallback: `${server.url}/webhooks/${agentId}/voice/status`,
      });
      expect(sim.specViolations).toEqual([]);

      // Recorded as the agent's number, and setup's number step is done.
      const [recorded] = await server.app.ports.db.provisioning.listAgentNumbers(agentId);
      expect(recorded).toMatchObject({ phoneNumber: chosen.phone, state: 'owned', providerRef: sim.phoneNumbers.purchases[0]!.sid });
      expect((await server.app.ports.db.agents.findChannel(agentId, 'sms'))?.address).toBe(chosen.phone);
      const status = await restCall<Status>(server.url, ADMIN_TOKEN, 'GET', '/setup');
      expect(status.body.steps.find((s) => s.step === 'number')?.done).toBe(true);

      // The step again, over REST: the same number, nothing more bought.
      const again = await restCall<Chosen>(server.url, ADMIN_TOKEN, 'POST', '/setup/number', { source: 'buy' });
      expect(again).toMatchObject({ status: 200, body: { agentId, phone: chosen.phone, source: 'buy' } });
      expect(sim.phoneNumbers.purchases).toHaveLength(1);

      // An inbound SMS to the bought number reaches the agent.
      expect((await sim.textNumber({ from: '+15550100151', to: chosen.phone, body: 'hello setup' })).status).toBe(200);
      const inbox = await server.app.ports.db.messages.list({ agentId, channel: 'sms', direction: 'inbound', limit: 5 });
      expect(inbox.map((m) => m.body)).toEqual(['hello setup']);
    });
  });
});
