import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../core/context.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const ADMIN: Caller = { kind: 'admin' };
const PERSON = '+15550100151';

interface AuditEntry { action: string; outcome: string; requestId: string | null; targets: Record<string, unknown> }

/** An MCP client that declares elicitation and answers every question with `answer`, keeping the questions. */
async function elicitingClient(baseUrl: string, token: string, answer: () => ElicitResult): Promise<{ client: Client; asked: ElicitRequest['params'][] }> {
  const asked: ElicitRequest['params'][] = [];
  const client = new Client({ name: 'confirming-client', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params);
    return answer();
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return { client, asked };
}

describe('human confirmation of destructive and costly tools (MCP elicitation, the confirm field, REST)', () => {
  let server: TestServer;
  let agentToken: string;
  let answer: ElicitResult = { action: 'accept', content: { confirm: true } };
  let asking: Awaited<ReturnType<typeof elicitingClient>>;
  let plain: Client;

  const audit = async (action: string) => {
    const { entries } = (await server.app.runner.run('comms_list_audit_log', ADMIN, { limit: 200 })) as { entries: AuditEntry[] };
    return entries.filter((e) => e.action === action).reverse();
  };
  const holdings = async () => ((await server.app.runner.run('comms_export_contact', ADMIN, { contact: PERSON })) as { messages: unknown[] }).messages.length;

  beforeAll(async () => {
    // comms_erase_contact asks by default; config adds a costly tool (by field) and a send (no target: confirm true).
    server = await startTestServer({ extra: { confirm: { tools: { comms_make_call: 'elicit', comms_send_message: { mode: 'confirm-field' } } } } });
    ({ token: agentToken } = await server.createAgent({ name: 'Confirmer', phone: '+15550100150' }));
    asking = await elicitingClient(server.url, ADMIN_TOKEN, () => answer);
    plain = await connectHttpClient(server.url, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await asking?.client.close();
    await plain?.close();
    await server?.close();
  });

  it('publishes a confirm field on the tools that need one: the target\'s own schema, or true', async () => {
    const { tools } = await plain.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.comms_erase_contact!.inputSchema.properties!.confirm).toMatchObject({ type: 'string' });
    expect(byName.comms_erase_contact!.description).toMatch(/Needs a person's approval/);
    expect(byName.comms_make_call!.inputSchema.properties!.confirm).toMatchObject({ type: 'string', maxLength: 32 });
    expect(byName.comms_send_message!.inputSchema.properties!.confirm).toMatchObject({ const: true });
    expect(byName.comms_send_voice_message!.inputSchema.properties).not.toHaveProperty('confirm');
  });

  it('asks the person when the client supports elicitation; declined or cancelled: nothing is done, the answer is audited', async () => {
    await callOk(await connectHttpClient(server.url, agentToken), 'comms_send_message', { channel: 'sms', to: PERSON, body: 'Your order shipped.', confirm: true });
    expect(await holdings()).toBe(1);

    answer = { action: 'decline' };
    const declined = await callErr(asking.client, 'comms_erase_contact', { contact: PERSON });
    expect(declined).toMatchObject({ code: 'CONFIRMATION_DECLINED', details: { tool: 'comms_erase_contact', answer: 'declined' } });
    expect(declined.nextStep).toBeTruthy();
    answer = { action: 'cancel' };
    expect(await callErr(asking.client, 'comms_erase_contact', { contact: PERSON })).toMatchObject({ code: 'CONFIRMATION_DECLINED', details: { answer: 'cancelled' } });
    // Accepted, but the box left unticked: that is no approval.
    answer = { action: 'accept', content: { confirm: false } };
    expect(await callErr(asking.client, 'comms_erase_contact', { contact: PERSON })).toMatchObject({ code: 'CONFIRMATION_DECLINED', details: { answer: 'declined' } });
    expect(await holdings()).toBe(1);
    expect(await audit('contact.erase')).toEqual([]);

    // The question names the tool and the exact target, as a form with one boolean.
    expect(asking.asked).toHaveLength(3);
    expect(asking.asked[0]).toMatchObject({ mode: 'form', requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] } });
    expect(asking.asked[0]!.message).toContain('Erase everything about a person');
    expect(asking.asked[0]!.message).toContain(PERSON);

    answer = { action: 'accept', content: { confirm: true } };
    expect(await callOk(asking.client, 'comms_erase_contact', { contact: PERSON })).toMatchObject({ erased: true, counts: { messages: 1 } });
    expect(await holdings()).toBe(0);

    const answers = await audit('confirmation.elicit');
    expect(answers.map((e) => [e.outcome, e.targets])).toEqual([
      ['declined', { tool: 'comms_erase_contact' }], ['cancelled', { tool: 'comms_erase_contact' }],
      ['declined', { tool: 'comms_erase_contact' }], ['accepted', { tool: 'comms_erase_contact' }],
    ]);
    // The approval and the erasure it allowed share one request id; no number or address in the trail.
    const [erasure] = await audit('contact.erase');
    expect(erasure!.requestId).toBe(answers[3]!.requestId);
    // (Ids and hashes are random hex, which may contain any digits: only the recorded facts are searched.)
    const facts = answers.map(({ action, targets, outcome }) => ({ action, targets, outcome }));
    expect(JSON.stringify(facts)).not.toContain(PERSON.slice(2));
  });

  it('an agent passing confirm itself does not skip the question when the person can be asked; a failed question is no approval', async () => {
    answer = { action: 'decline' };
    expect(await callErr(asking.client, 'comms_erase_contact', { contact: PERSON, confirm: PERSON })).toMatchObject({ code: 'CONFIRMATION_DECLINED' });
    // An answer that does not fit the form (the SDK checks it against requestedSchema) counts as none.
    answer = { action: 'accept', content: { confirm: 'yes' } };
    expect(await callErr(asking.client, 'comms_erase_contact', { contact: PERSON })).toMatchObject({ code: 'CONFIRMATION_DECLINED', details: { answer: 'unanswered' } });
    expect((await audit('confirmation.elicit')).slice(-2).map((e) => e.outcome)).toEqual(['declined', 'unanswered']);
  });

  it('without elicitation the input must carry confirm with the exact target; nothing runs otherwise', async () => {
    const asked = asking.asked.length;
    const missing = await callErr(plain, 'comms_erase_contact', { contact: PERSON });
    expect(missing).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { tool: 'comms_erase_contact', field: 'contact' } });
    expect(missing.nextStep).toMatch(/confirm set to the exact value of contact/);
    expect(await callErr(plain, 'comms_erase_contact', { contact: PERSON, confirm: '+15550100152' })).toMatchObject({ code: 'CONFIRMATION_REQUIRED' });
    expect(await audit('contact.erase')).toHaveLength(1);
    expect(await callOk(plain, 'comms_erase_contact', { contact: PERSON, confirm: PERSON })).toMatchObject({ erased: false });
    expect(asking.asked.length).toBe(asked);
  });

  it('a confirm-field tool asks for the field even from a client that could be asked; a tool without target takes confirm: true', async () => {
    const agentAsking = await elicitingClient(server.url, agentToken, () => ({ action: 'accept', content: { confirm: true } }));
    try {
      const sms = { channel: 'sms', to: '+15550100153', body: 'Your table is ready.' };
      expect(await callErr(agentAsking.client, 'comms_send_message', sms)).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { tool: 'comms_send_message' } });
      expect(await callErr(agentAsking.client, 'comms_send_message', { ...sms, confirm: false })).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'confirm' } });
      expect(agentAsking.asked).toEqual([]);
      expect(await callOk(agentAsking.client, 'comms_send_message', { ...sms, confirm: true })).toMatchObject({ status: expect.any(String) });
    } finally {
      await agentAsking.client.close();
    }
  });

  it('REST has no elicitation: 428 CONFIRMATION_REQUIRED without confirm, done with it', async () => {
    const erase = (body: Record<string, unknown>) => fetch(`${server.url}/api/v1/contacts/erase`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const refused = await erase({ contact: PERSON });
    expect(refused.status).toBe(428);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CONFIRMATION_REQUIRED');
    const done = await erase({ contact: PERSON, confirm: PERSON });
    expect(done.status).toBe(200);
  });
});
