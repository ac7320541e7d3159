import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { onSqliteAndPostgres } from '../support/each-database.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { restCall } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const KEY = randomBytes(32).toString('base64');
const PERSON = '+15550100151';

interface Provisioned { number: { numberId: string; phoneNumber: string; source: string } | null }
interface Status { drift: boolean; numbers: Array<{ numberId: string; active: boolean; drift: string[] }> }

/**
 * Provisioning for customers that have their own provider account: a `subaccount` customer (the Twilio
 * subaccount made for it) and a `shared` customer that registered its own Twilio credentials with
 * comms_register_provider. Their numbers are bought, read and released in that account (as the simulator
 * records which account SID bought each number), never taken from or given back to the server's pool;
 * each customer admin drives this for its own agents, over MCP and REST.
 */
onSqliteAndPostgres((label, db) => {
  describe(`provisioning in a customer's own provider account (${label})`, () => {
    const sim = new TwilioSimulator({ callbackDelayMs: 1 });
    let server: TestServer;
    let operator: Client;
    let key = 0;
    const newKey = () => `acct-${label}-${++key}-${Date.now()}`;
    const customer = async (name: string, isolation: string) =>
      callOk<{ customerId: string; adminToken: string; providerAccount: string | null }>(operator, 'comms_create_customer', { name, isolation });

    beforeAll(async () => {
      await sim.start();
      server = await startTestServer({
        db: db(),
        telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 5000 } },
        env: { COMMS_CREDENTIALS_KEY: KEY },
        extra: { provisioning: { pool: { size: 3 } } },
      });
      operator = await connectHttpClient(server.url, ADMIN_TOKEN);
      // A spare in the server's pool: an agent of the server's account takes it, one with its own account must not.
      const leaving = await server.createAgent({ name: 'Operator agent' });
      const bought = await callOk<Provisioned>(operator, 'comms_provision_channels', { agentId: leaving.agentId, idempotencyKey: newKey() });
      const numbers = [bought.number!.phoneNumber];
      await callOk(operator, 'comms_deprovision_channels', { agentId: leaving.agentId, idempotencyKey: newKey(), numbers, confirm: numbers });
      expect(await server.app.ports.db.provisioning.countSpares('twilio', 'US')).toBe(1);
    });
    afterAll(async () => {
      await operator?.close();
      await server?.close();
      await sim.stop();
    });

    it('buys a subaccount customer\'s number in its subaccount, reads its status there, and releases it there instead of pooling it', async () => {
      const b = await customer('Subaccount customer', 'subaccount');
      const admin = await connectHttpClient(server.url, b.adminToken);
      try {
        const agent = await callOk<{ agentId: string }>(admin, 'comms_create_agent', { name: 'b-agent' });
        const done = await callOk<Provisioned>(admin, 'comms_provision_channels', { agentId: agent.agentId, idempotencyKey: newKey() });
        expect(done.number?.source).toBe('bought');
        const held = sim.phoneNumbers.byNumber(done.number!.phoneNumber)!;
        expect(held.accountSid).toBe(b.providerAccount);
        expect(held.smsUrl).toBe(`${server.url}/webhooks/${agent.agentId}/sms`);
        expect(await server.app.ports.db.provisioning.countSpares('twilio', 'US')).toBe(1);

        // The live view comes from the subaccount (the main account's credentials would not find the number there).
        const status = await restCall<Status>(server.url, b.adminToken, 'GET', `/agents/${agent.agentId}/channel-status`);
        expect(status).toMatchObject({ status: 200, body: { drift: false, numbers: [{ numberId: done.number!.numberId, active: true, drift: [] }] } });

        // Its messages go out with the subaccount's credentials too.
        await callOk(admin, 'comms_send_message', { agentId: agent.agentId, channel: 'sms', to: PERSON, body: 'from the subaccount' });
        expect(sim.messages.at(-1)).toMatchObject({ body: 'from the subaccount', accountSid: b.providerAccount, from: done.number!.phoneNumber });

        // The pool has room, but the number is the subaccount's: released there, not pooled.
        const numbers = [done.number!.phoneNumber];
        const gone = await callOk<{ numbers: Array<{ outcome: string }> }>(admin, 'comms_deprovision_channels', { agentId: agent.agentId, idempotencyKey: newKey(), numbers, confirm: numbers });
        expect(gone.numbers.map((n) => n.outcome)).toEqual(['released']);
        expect(sim.phoneNumbers.releases.at(-1)).toMatchObject({ phoneNumber: held.phoneNumber, accountSid: b.providerAccount });
        expect(await server.app.ports.db.provisioning.countSpares('twilio', 'US')).toBe(1);
      } finally {
        await admin.close();
      }
      expect(sim.specViolations).toEqual([]);
    });

    it('buys with the credentials a shared customer registered with comms_register_provider', async () => {
      const c = await customer('Own credentials customer', 'shared');
      // The customer's own Twilio account (a subaccount made at the simulator stands in for it).
      const created = await fetch(`${sim.baseUrl}/2010-04-01/Accounts.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'FriendlyName=Customer+C',
      });
      const own = (await created.json()) as { sid: string; auth_token: string };
      const registered = await restCall(server.url, c.adminToken, 'POST', '/providers', {
        name: 'c-twilio', provider: 'twilio', credentials: { accountSid: own.sid, authToken: own.auth_token, baseUrl: sim.baseUrl, timeoutMs: 5000 },
      });
      expect(registered.status).toBe(201);

      const agent = await restCall<{ agentId: string }>(server.url, c.adminToken, 'POST', '/agents', { name: 'c-agent' });
      const done = await restCall<Provisioned>(server.url, c.adminToken, 'POST', `/agents/${agent.body.agentId}/provision`, { idempotencyKey: newKey() });
      expect(done.status).toBe(200);
      // Bought in the customer's account, not taken from the server's pool.
      expect(done.body.number?.source).toBe('bought');
      expect(sim.phoneNumbers.byNumber(done.body.number!.phoneNumber)?.accountSid).toBe(own.sid);
      expect(await server.app.ports.db.provisioning.countSpares('twilio', 'US')).toBe(1);
      const repaired = await restCall<Status>(server.url, c.adminToken, 'POST', `/agents/${agent.body.agentId}/repair-channels`, {});
      expect(repaired.body).toMatchObject({ drift: false, numbers: [{ active: true }] });
    });

    it('closes a per-agent customer\'s agent subaccount on deprovision, after releasing its number there', async () => {
      const d = await customer('Per-agent customer', 'per-agent');
      const admin = await connectHttpClient(server.url, d.adminToken);
      try {
        const agent = await callOk<{ agentId: string }>(admin, 'comms_create_agent', { name: 'd-agent' });
        const own = (await server.app.ports.db.agents.findById(agent.agentId))!.providerAccount!;
        expect(sim.subaccounts.accounts.get(own)?.status).toBe('active');
        const done = await callOk<Provisioned>(admin, 'comms_provision_channels', { agentId: agent.agentId, idempotencyKey: newKey() });
        expect(sim.phoneNumbers.byNumber(done.number!.phoneNumber)!.accountSid).toBe(own);

        const numbers = [done.number!.phoneNumber];
        const gone = await callOk<{ numbers: Array<{ outcome: string }>; subaccountClosed: boolean }>(admin, 'comms_deprovision_channels', { agentId: agent.agentId, idempotencyKey: newKey(), numbers, confirm: numbers });
        expect(gone).toMatchObject({ numbers: [{ outcome: 'released' }], subaccountClosed: true });
        expect(sim.phoneNumbers.releases.at(-1)).toMatchObject({ phoneNumber: numbers[0], accountSid: own });
        expect(sim.subaccounts.accounts.get(own)?.status).toBe('closed');
      } finally {
        await admin.close();
      }
    });

    it('gives a shared customer without credentials of its own the server\'s account, and the pool\'s spare', async () => {
      const a = await customer('Shared customer', 'shared');
      const agent = await restCall<{ agentId: string }>(server.url, a.adminToken, 'POST', '/agents', { name: 'a-agent' });
      const spare = [...sim.phoneNumbers.held.values()].find((n) => n.smsUrl === `${server.url}/webhooks/sms`)!;
      const done = await restCall<Provisioned>(server.url, a.adminToken, 'POST', `/agents/${agent.body.agentId}/provision`, { idempotencyKey: newKey() });
      expect(done.body.number).toMatchObject({ source: 'pool', phoneNumber: spare.phoneNumber });
      expect(spare.accountSid).toBe(sim.accountSid);
    });
  });
});
