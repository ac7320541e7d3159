import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USE_CASES } from '../../core/use-cases.js';
import { onSqliteAndPostgres } from '../support/each-database.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { postWebhook, signTwilioWebhook } from '../simulators/twilio/twilio-webhook-signing.js';
import { eventually } from '../support/callback-receiver.js';

const A_NUMBER = '+15550100021';
const B_NUMBER = '+15550100022';
const SHARED = '+15550100030';
const B_SHARED = '+15550100031';
const OPERATOR_NUMBER = '+15550100032';
const FREE_NUMBER = '+15550100033';
const PERSON = '+15550100151';
const OTHER_PERSON = '+15550100152';
const KEY = randomBytes(32).toString('base64');

type Args = Record<string, unknown>;
interface World { bAgent: string; bCustomer: string; bCredentials: string }
/**
 * Every tool a customer admin may call, with a request aimed at customer B's data and what customer A's
 * token must get: refused (`code`), or answered without any of B's data (`check`). A tool declared
 * customer-scoped without a row here fails the test: a new tenant tool must say how it is confined.
 */
const PROBES: Record<string, (w: World) => { args: Args; code?: string; check?: (body: Record<string, unknown>, w: World) => void }> = {
  comms_send_message: (w) => ({ args: { agentId: w.bAgent, channel: 'sms', to: PERSON, body: 'hi' }, code: 'NOT_FOUND' }),
  comms_get_messages: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_wait_for_message: (w) => ({ args: { agentId: w.bAgent, timeoutSeconds: 1 }, code: 'NOT_FOUND' }),
  comms_list_threads: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_get_thread: (w) => ({ args: { agentId: w.bAgent, contactId: 'con_x' }, code: 'NOT_FOUND' }),
  comms_mark_thread_read: (w) => ({ args: { agentId: w.bAgent, contactId: 'con_x' }, code: 'NOT_FOUND' }),
  comms_update_contact: (w) => ({ args: { agentId: w.bAgent, contactId: 'con_x', name: 'x' }, code: 'NOT_FOUND' }),
  comms_merge_contacts: (w) => ({ args: { agentId: w.bAgent, contactId: 'con_x', mergeContactId: 'con_y' }, code: 'NOT_FOUND' }),
  comms_send_voice_message: (w) => ({ args: { agentId: w.bAgent, to: PERSON, text: 'hi' }, code: 'NOT_FOUND' }),
  comms_get_call: (w) => ({ args: { agentId: w.bAgent, callId: 'cal_x' }, code: 'NOT_FOUND' }),
  comms_list_calls: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_make_call: (w) => ({ args: { agentId: w.bAgent, to: PERSON, purpose: 'test' }, code: 'NOT_FOUND' }),
  comms_transfer_call: (w) => ({ args: { agentId: w.bAgent, callId: 'cal_x', to: PERSON }, code: 'NOT_FOUND' }),
  comms_end_call: (w) => ({ args: { agentId: w.bAgent, callId: 'cal_x' }, code: 'NOT_FOUND' }),
  comms_get_agent: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_create_agent: (w) => ({ args: { name: 'intruder', customerId: w.bCustomer }, code: 'FORBIDDEN' }),
  comms_update_agent: (w) => ({ args: { agentId: w.bAgent, name: 'renamed' }, code: 'NOT_FOUND' }),
  comms_list_agents: () => ({ args: {}, check: (body, w) => expect(JSON.stringify(body)).not.toContain(w.bAgent) }),
  comms_rotate_agent_token: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_resume_agent_sending: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_get_usage: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_set_agent_limits: (w) => ({ args: { agentId: w.bAgent, tier: 'free' }, code: 'NOT_FOUND' }),
  comms_check_contact: (w) => ({ args: { agentId: w.bAgent, to: PERSON, channel: 'sms' }, code: 'NOT_FOUND' }),
  comms_record_consent: (w) => ({ args: { agentId: w.bAgent, contact: PERSON, channel: 'sms', scope: 'marketing', source: 'web form' }, code: 'NOT_FOUND' }),
  comms_get_consent: (w) => ({ args: { agentId: w.bAgent, contact: PERSON }, code: 'NOT_FOUND' }),
  comms_set_agent_compliance: (w) => ({ args: { agentId: w.bAgent, settings: {} }, code: 'NOT_FOUND' }),
  comms_list_audit_log: () => ({
    args: { limit: 200 },
    check: (body, w) => {
      expect((body.entries as unknown[]).length).toBeGreaterThan(0);
      expect(JSON.stringify(body)).not.toContain(w.bAgent);
      expect(JSON.stringify(body)).not.toContain(w.bCustomer);
    },
  }),
  comms_get_console_overview: () => ({
    args: {},
    check: (body, w) => {
      expect(body.outbox).toBeNull();
      expect(JSON.stringify(body)).not.toContain(w.bAgent);
    },
  }),
  comms_register_provider: (w) => ({ args: { name: 'intruder-set', provider: 'twilio', credentials: { accountSid: 'x' }, customerId: w.bCustomer }, code: 'FORBIDDEN' }),
  comms_list_providers: () => ({ args: {}, check: (body, w) => expect(JSON.stringify(body)).not.toContain(w.bCredentials) }),
  comms_remove_provider: (w) => ({ args: { name: w.bCredentials }, code: 'NOT_FOUND' }),
  comms_get_customer: (w) => ({ args: { customerId: w.bCustomer }, code: 'NOT_FOUND' }),
  comms_rotate_customer_token: (w) => ({ args: { customerId: w.bCustomer }, code: 'NOT_FOUND' }),
  comms_set_shared_number: (w) => ({ args: { number: '+15550100039', defaultAgentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_provision_channels: (w) => ({ args: { agentId: w.bAgent, idempotencyKey: 'probe-provision-1' }, code: 'NOT_FOUND' }),
  comms_deprovision_channels: (w) => ({ args: { agentId: w.bAgent, idempotencyKey: 'probe-deprovision-1', numbers: [B_NUMBER], confirm: [B_NUMBER] }, code: 'NOT_FOUND' }),
  comms_get_channel_status: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
  comms_repair_channels: (w) => ({ args: { agentId: w.bAgent }, code: 'NOT_FOUND' }),
};

/** A REST call of the use case's route with customer A's token: path parameters from `args`, the rest as query or body. */
async function rest(url: string, token: string, name: string, args: Args): Promise<{ status: number; body: Record<string, unknown> }> {
  const useCase = USE_CASES.find((u) => u.name === name)!;
  const rest = { ...args };
  const path = useCase.rest.path.replace(/:(\w+)/g, (_, key: string) => {
    const value = String(rest[key]);
    delete rest[key];
    return encodeURIComponent(value);
  });
  const { method } = useCase.rest;
  const query = method === 'GET' ? `?${new URLSearchParams(Object.entries(rest).map(([k, v]): [string, string] => [k, String(v)]))}` : '';
  const response = await fetch(`${url}/api/v1${path}${query}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify(rest) }),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

onSqliteAndPostgres((label, db) => {
  describe(`tenants (${label})`, () => {
    const sim = new TwilioSimulator({ ownedNumbers: [A_NUMBER, B_NUMBER, SHARED], callbackDelayMs: 1 });
    let server: TestServer;
    let operator: Client;
    let customerA: Client;
    let tokenA = '';
    let tokenB = '';
    let aAgent = '';
    const world: World = { bAgent: '', bCustomer: '', bCredentials: '' };

    beforeAll(async () => {
      await sim.start();
      server = await startTestServer({
        db: db(),
        telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 5000 } },
        env: { COMMS_CREDENTIALS_KEY: KEY },
        extra: { brain: { use: 'mock', options: { replies: ['Customer B here.'] } } },
      });
      operator = await connectHttpClient(server.url, ADMIN_TOKEN);
      const a = await callOk<{ customerId: string; adminToken: string }>(operator, 'comms_create_customer', { name: 'Customer A' });
      const b = await callOk<{ customerId: string; adminToken: string; providerAccount: string }>(operator, 'comms_create_customer', { name: 'Customer B', isolation: 'subaccount' });
      tokenA = a.adminToken;
      tokenB = b.adminToken;
      world.bCustomer = b.customerId;
      world.bCredentials = `customer-${b.customerId.toLowerCase()}`;
      customerA = await connectHttpClient(server.url, tokenA);
      const customerB = await connectHttpClient(server.url, tokenB);
      aAgent = (await callOk<{ agentId: string }>(customerA, 'comms_create_agent', { name: 'a1', phone: A_NUMBER })).agentId;
      world.bAgent = (await callOk<{ agentId: string }>(customerB, 'comms_create_agent', { name: 'b1', phone: B_NUMBER })).agentId;
      await customerB.close();
    });
    afterAll(async () => {
      await customerA?.close();
      await operator?.close();
      await server?.close();
      await sim.stop();
    });

    it('gives every customer-scoped tool a probe, and refuses every other tool to a customer admin with OPERATOR_ONLY (MCP and REST)', async () => {
      for (const useCase of USE_CASES) {
        const probe = PROBES[useCase.name];
        if (useCase.tenancy === 'customer-scoped') {
          expect(probe, `${useCase.name} is customer-scoped but has no tenancy probe`).toBeDefined();
          continue;
        }
        expect(probe, `${useCase.name} is operator-only but has a probe`).toBeUndefined();
        expect((await callErr(customerA, useCase.name, {})).code, useCase.name).toBe('OPERATOR_ONLY');
        const answer = await rest(server.url, tokenA, useCase.name, {});
        expect([answer.status, (answer.body.error as { code?: string } | undefined)?.code], useCase.name).toEqual([403, 'OPERATOR_ONLY']);
      }
    });

    it('lists for a customer admin exactly the tools it may run, with the agentId it acts for in their schemas', async () => {
      const { tools } = await customerA.listTools();
      const mayRun = USE_CASES.filter((u) => u.tenancy === 'customer-scoped').map((u) => u.name).sort();
      expect(tools.map((t) => t.name).sort()).toEqual(mayRun);
      expect(mayRun).toEqual(expect.arrayContaining(['comms_create_agent', 'comms_provision_channels', 'comms_send_message']));
      expect(Object.keys(tools.find((t) => t.name === 'comms_send_message')!.inputSchema.properties ?? {})).toContain('agentId');
    });

    it.each(Object.keys(PROBES))('%s: customer A\'s admin token cannot see or touch customer B\'s data (MCP and REST)', async (name) => {
      const { args, code, check } = PROBES[name]!(world);
      if (code) {
        expect((await callErr(customerA, name, args)).code).toBe(code);
        const answer = await rest(server.url, tokenA, name, args);
        expect((answer.body.error as { code?: string } | undefined)?.code).toBe(code);
      } else {
        check!(await callOk(customerA, name, args), world);
        const answer = await rest(server.url, tokenA, name, args);
        expect(answer.status).toBe(200);
        check!(answer.body, world);
      }
    });

    it('lets a customer admin manage its own agents: list, read and act for them', async () => {
      const { agents } = await callOk<{ agents: Array<{ agentId: string }> }>(customerA, 'comms_list_agents', {});
      expect(agents.map((agent) => agent.agentId)).toEqual([aAgent]);
      expect(await callOk(customerA, 'comms_get_agent', { agentId: aAgent })).toMatchObject({ agentId: aAgent });
      const { entries } = await callOk<{ entries: Array<{ action: string; agentId: string | null }> }>(customerA, 'comms_list_audit_log', {});
      expect(entries.some((entry) => entry.action === 'agent.create' && entry.agentId === aAgent)).toBe(true);
      // The operator sees both customers' agents.
      const all = await callOk<{ agents: Array<{ agentId: string }> }>(operator, 'comms_list_agents', {});
      expect(all.agents.map((agent) => agent.agentId)).toEqual(expect.arrayContaining([aAgent, world.bAgent]));
    });

    it('creates customer B\'s subaccount at the provider and sends its agent\'s messages with the subaccount\'s credentials', async () => {
      expect([...sim.subaccounts.accounts.values()].map((sub) => sub.status)).toEqual(['active']);
      const [sub] = [...sim.subaccounts.accounts.values()];
      const customerB = await connectHttpClient(server.url, tokenB);
      try {
        await callOk(customerB, 'comms_send_message', { agentId: world.bAgent, channel: 'sms', to: PERSON, body: 'from B' });
        await callOk(customerA, 'comms_send_message', { agentId: aAgent, channel: 'sms', to: PERSON, body: 'from A' });
      } finally {
        await customerB.close();
      }
      const sent = sim.messages.map((m) => [m.body, m.accountSid]);
      expect(sent).toEqual(expect.arrayContaining([['from B', sub!.sid], ['from A', sim.accountSid]]));
      expect(sim.specViolations).toEqual([]);
    });

    it('verifies the webhooks of a subaccount\'s number with the subaccount\'s token, end to end, and refuses any other signer', async () => {
      const [sub] = [...sim.subaccounts.accounts.values()];
      // The number lives in customer B's subaccount: Twilio now signs its webhooks with the subaccount's auth token.
      sim.subaccounts.transferNumber(B_NUMBER, sub!.sid);
      const agentUrl = `${server.url}/webhooks/${world.bAgent}`;
      expect((await sim.injectInboundSms({ url: `${agentUrl}/sms`, from: PERSON, to: B_NUMBER, body: 'to B, per-agent URL' })).status).toBe(200);
      expect((await sim.injectInboundSms({ url: `${server.url}/webhooks/sms`, from: PERSON, to: B_NUMBER, body: 'to B, shared URL' })).status).toBe(200);
      const inbox = await callOk<{ messages: Array<{ body: string }> }>(operator, 'comms_get_messages', { agentId: world.bAgent, direction: 'inbound' });
      expect(inbox.messages.map((m) => m.body).sort()).toEqual(['to B, per-agent URL', 'to B, shared URL']);

      // Status callbacks of B's messages (sent with the subaccount's credentials) come signed by the subaccount.
      const sent = await callOk<{ messageId: string }>(operator, 'comms_send_message', { agentId: world.bAgent, channel: 'sms', to: PERSON, body: 'status check' });
      await sim.settled();
      const callbacks = sim.callbacks.filter((c) => c.params.AccountSid === sub!.sid && c.params.MessageSid === sim.messages.at(-1)?.sid);
      expect(callbacks.map((c) => c.status)).toEqual([200, 200, 200]);
      await eventually(async () => ((await server.app.ports.db.messages.findById(sent.messageId))?.status === 'delivered' ? true : undefined));

      // A live call to B's number: voice webhook, relay socket upgrade and call status, all signed by the subaccount.
      const call = await sim.placeIncomingCall({ voiceUrl: `${agentUrl}/voice`, from: PERSON, to: B_NUMBER, statusCallbackUrl: `${agentUrl}/voice/status` });
      expect((await call.say('Hello?')).text).toBe('Customer B here.');
      await call.hangUp();
      const [logged] = await server.app.ports.db.calls.list({ agentId: world.bAgent, limit: 10 });
      expect(logged).toMatchObject({ direction: 'inbound', to: B_NUMBER });
      await eventually(async () => ((await server.app.ports.db.calls.findById(logged!.id))?.status === 'completed' ? true : undefined));

      // Refused: B's webhooks signed with the main account's token (on either URL, whatever AccountSid says), a
      // subaccount the server does not know, and the main account speaking for a subaccount's number.
      const form = (accountSid: string, body: string) => ({
        MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: accountSid, From: PERSON, To: B_NUMBER, Body: body, NumMedia: '0',
      });
      const forgeries = [
        signTwilioWebhook(sim.authToken, `${agentUrl}/sms`, form(sub!.sid, 'main token, per-agent URL')),
        signTwilioWebhook(sim.authToken, `${agentUrl}/sms`, form(sim.accountSid, 'main token and SID, per-agent URL')),
        signTwilioWebhook(sim.authToken, `${server.url}/webhooks/sms`, form(sub!.sid, 'main token, shared URL')),
        signTwilioWebhook(sim.authToken, `${server.url}/webhooks/sms`, form(sim.accountSid, 'main account for a subaccount number')),
        signTwilioWebhook(sub!.authToken, `${server.url}/webhooks/sms`, form(`AC${'0'.repeat(32)}`, 'unknown account')),
        signTwilioWebhook(sub!.authToken, `${server.url}/webhooks/${aAgent}/sms`, { ...form(sub!.sid, 'B\'s subaccount on A\'s URL'), To: A_NUMBER }),
      ];
      for (const forged of forgeries) expect((await postWebhook(forged, 5000)).status, forged.params.Body).toBe(403);
      const forgedCall = sim.buildIncomingCall({ url: `${agentUrl}/voice`, from: PERSON, to: A_NUMBER });
      expect((await postWebhook(forgedCall, 5000)).status).toBe(403);
      const after = await callOk<{ messages: Array<{ body: string }> }>(operator, 'comms_get_messages', { agentId: world.bAgent, direction: 'inbound' });
      expect(after.messages).toHaveLength(2);
      expect(sim.specViolations).toEqual([]);
    });

    it('routes inbound on a shared number to the agent the contact last talked with, else the default agent, else refuses and records it', async () => {
      // Declared first, without a default agent: contacts nobody talked with are refused.
      expect(await callOk(customerA, 'comms_set_shared_number', { number: SHARED })).toEqual({ number: SHARED, customerId: expect.any(String), defaultAgentId: null });
      const s1 = (await callOk<{ agentId: string }>(customerA, 'comms_create_agent', { name: 's1', identity: 'shared', sharedNumber: SHARED })).agentId;
      const s2 = (await callOk<{ agentId: string }>(customerA, 'comms_create_agent', { name: 's2', identity: 'hybrid', sharedNumber: SHARED })).agentId;
      // s1 has no number of its own: it writes from the shared number, and the contact's reply comes back to it.
      await callOk(customerA, 'comms_send_message', { agentId: s1, channel: 'sms', to: PERSON, body: 'hello from s1' });
      expect(sim.messages.at(-1)?.from).toBe(SHARED);
      const url = `${server.url}/webhooks/sms`;
      const reply = await sim.injectInboundSms({ url, from: PERSON, to: SHARED, body: 'reply to s1' });
      expect(reply.status).toBe(200);
      const s1Inbox = await callOk<{ messages: Array<{ body: string }> }>(customerA, 'comms_get_messages', { agentId: s1, direction: 'inbound' });
      expect(s1Inbox.messages.map((m) => m.body)).toEqual(['reply to s1']);
      // An unknown contact with no default agent: refused, and recorded.
      const refused = await sim.injectInboundSms({ url, from: OTHER_PERSON, to: SHARED, body: 'who is this' });
      expect(refused.status).toBe(404);
      const { entries } = await callOk<{ entries: Array<{ action: string; outcome: string }> }>(operator, 'comms_list_audit_log', { action: 'inbound.unrouted' });
      expect(entries.map((entry) => entry.outcome)).toEqual(['SHARED_NUMBER_UNROUTED']);
      // With a default agent, the unknown contact reaches it.
      await callOk(customerA, 'comms_set_shared_number', { number: SHARED, defaultAgentId: s2 });
      expect((await sim.injectInboundSms({ url, from: OTHER_PERSON, to: SHARED, body: 'second try' })).status).toBe(200);
      const s2Inbox = await callOk<{ messages: Array<{ body: string }> }>(customerA, 'comms_get_messages', { agentId: s2, direction: 'inbound' });
      expect(s2Inbox.messages.map((m) => m.body)).toEqual(['second try']);
    });

    it('answers a customer that names another customer\'s number, shared number or credential set as an invalid request: nothing tells it the other exists', async () => {
      const customerB = await connectHttpClient(server.url, tokenB);
      try {
        await callOk(customerB, 'comms_set_shared_number', { number: B_SHARED });
      } finally {
        await customerB.close();
      }
      await callOk(operator, 'comms_create_agent', { name: 'operator-own', phone: OPERATOR_NUMBER });
      const unavailable = (field: string) => ({ code: 'INVALID_INPUT', details: { field } });
      // The same answer whoever holds the number: customer B's agent, customer B's shared number, the operator's agent.
      const heldByB = await callErr(customerA, 'comms_create_agent', { name: 'probe', phone: B_NUMBER });
      expect(heldByB).toMatchObject(unavailable('phone'));
      expect(await callErr(customerA, 'comms_create_agent', { name: 'probe', phone: OPERATOR_NUMBER })).toEqual(heldByB);
      expect(await callErr(customerA, 'comms_create_agent', { name: 'probe', phone: B_SHARED })).toEqual(heldByB);
      expect(await callErr(customerA, 'comms_update_agent', { agentId: aAgent, phone: B_NUMBER })).toEqual(heldByB);
      const sharedByB = await callErr(customerA, 'comms_create_agent', { name: 'probe', identity: 'shared', sharedNumber: B_SHARED });
      expect(sharedByB).toMatchObject(unavailable('sharedNumber'));
      expect(await callErr(customerA, 'comms_create_agent', { name: 'probe', identity: 'shared', sharedNumber: B_NUMBER })).toEqual(sharedByB);
      const numberOfB = await callErr(customerA, 'comms_set_shared_number', { number: B_SHARED });
      expect(numberOfB).toMatchObject(unavailable('number'));
      expect(await callErr(customerA, 'comms_set_shared_number', { number: B_NUMBER })).toEqual(numberOfB);
      // A credential set's name: B's is refused exactly like a name in the server's reserved namespace that nobody holds.
      const setOfB = await callErr(customerA, 'comms_register_provider', { name: world.bCredentials, provider: 'twilio', credentials: { accountSid: 'x' } });
      expect(setOfB).toMatchObject(unavailable('name'));
      expect(await callErr(customerA, 'comms_register_provider', { name: 'customer-nobody', provider: 'twilio', credentials: { accountSid: 'x' } })).toEqual(setOfB);
      for (const error of [heldByB, sharedByB, numberOfB, setOfB]) {
        expect(JSON.stringify(error)).not.toMatch(/another|already|belongs|agent_|agt_|cus_/i);
      }
      // Nothing was created by the refused calls, and a free number still works.
      const { agents } = await callOk<{ agents: Array<{ name: string }> }>(customerA, 'comms_list_agents', {});
      expect(agents.map((agent) => agent.name)).not.toContain('probe');
      expect(await callOk(customerA, 'comms_create_agent', { name: 'free', phone: FREE_NUMBER })).toMatchObject({ channels: [{ channel: 'sms', address: FREE_NUMBER }] });
      // Its own agents' numbers are its own business: that conflict is still CONFLICT.
      expect((await callErr(customerA, 'comms_create_agent', { name: 'again', phone: A_NUMBER })).code).toBe('CONFLICT');
    });

    it('closes a customer: its token stops working, its agents are disabled and its subaccount is closed at the provider', async () => {
      const closed = await callOk<{ status: string; closedAccounts: number }>(operator, 'comms_close_customer', { customerId: world.bCustomer, confirm: world.bCustomer });
      expect(closed).toMatchObject({ status: 'closed', closedAccounts: 1 });
      expect([...sim.subaccounts.accounts.values()].map((sub) => sub.status)).toEqual(['closed']);
      const answer = await rest(server.url, tokenB, 'comms_list_agents', {});
      expect(answer.status).toBe(401);
      expect(await callOk(operator, 'comms_get_agent', { agentId: world.bAgent })).toMatchObject({ status: 'disabled' });
    });
  });
});
