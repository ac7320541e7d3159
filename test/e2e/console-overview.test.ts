import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restCall } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

/** The admin console's data: an overview that masks contacts and bodies, and the audited reveal. */
describe('Console overview and reveal over REST', () => {
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let messageId: string;

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.createAgent({ name: 'Console agent', phone: '+15550100021' });
    const sent = await restCall<{ messageId: string }>(server.url, agent.token, 'POST', '/messages', { channel: 'sms', to: '+15550100177', body: 'private words' });
    expect(sent.status).toBe(201);
    messageId = sent.body.messageId;
  });
  afterAll(() => server?.close());

  it('counts the message by hour, channel and status and lists it masked, without its body', async () => {
    const { status, body } = await restCall(server.url, ADMIN_TOKEN, 'GET', '/console/overview');
    expect(status).toBe(200);
    const text = JSON.stringify(body);
    expect(text).not.toContain('private words');
    expect(text).not.toContain('+15550100177');
    expect(body.recentMessages).toEqual([expect.objectContaining({ id: messageId, agentId: agent.agentId, channel: 'sms', direction: 'outbound', contact: '+1555•••••77' })]);
    expect(body.activity).toEqual([expect.objectContaining({ kind: 'message', channel: 'sms', count: 1 })]);
    expect(body.outbox).toEqual(expect.objectContaining({ pending: expect.any(Number), dead: 0 }));
    expect(body.liveCalls).toEqual([]);
  });

  it('reveals the body and contact to the admin and records who revealed what in the audit trail', async () => {
    const { status, body } = await restCall(server.url, ADMIN_TOKEN, 'POST', '/console/reveal', { kind: 'message', id: messageId });
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'message', id: messageId, contact: '+15550100177', body: 'private words', untrustedFields: ['body', 'subject'] });
    const audit = await restCall<{ entries: Array<{ actorKind: string; outcome: string; targets: Record<string, unknown> }> }>(server.url, ADMIN_TOKEN, 'GET', '/audit?action=console.reveal');
    expect(audit.body.entries).toEqual([expect.objectContaining({ actorKind: 'admin', outcome: 'ok', targets: { kind: 'message', id: messageId, agentId: agent.agentId } })]);
  });

  it('records a reveal of an unknown id as failed, and refuses agent tokens', async () => {
    const missing = await restCall<{ error: { code: string } }>(server.url, ADMIN_TOKEN, 'POST', '/console/reveal', { kind: 'call', id: 'call_none' });
    expect(missing.status).toBe(404);
    const audit = await restCall<{ entries: Array<{ outcome: string }> }>(server.url, ADMIN_TOKEN, 'GET', '/audit?action=console.reveal&limit=1');
    expect(audit.body.entries[0]?.outcome).toBe('NOT_FOUND');
    for (const [method, path] of [['GET', '/console/overview'], ['POST', '/console/reveal']] as const) {
      const refused = await restCall<{ error: { code: string } }>(server.url, agent.token, method, path, method === 'POST' ? { kind: 'message', id: messageId } : undefined);
      expect(refused.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('shows a customer admin its own agents\' traffic only, without the server-wide outbox and alerts; reveal stays the operator\'s', async () => {
    const customer = (await server.app.runner.run('comms_create_customer', { kind: 'admin' }, { name: 'Customer A' })) as { customerId: string; adminToken: string };
    const own = (await server.app.runner.run('comms_create_agent', { kind: 'customer', customerId: customer.customerId }, { name: 'Customer agent', phone: '+15550100022' })) as { agentId: string; token: string };
    const sent = await restCall<{ messageId: string }>(server.url, own.token, 'POST', '/messages', { channel: 'sms', to: '+15550100178', body: 'customer words' });
    expect(sent.status).toBe(201);

    const { status, body } = await restCall<{ recentMessages: Array<{ id: string; agentId: string }>; outbox: unknown; alerts: unknown[] }>(server.url, customer.adminToken, 'GET', '/console/overview');
    expect(status).toBe(200);
    expect(body.recentMessages.map((m) => [m.id, m.agentId])).toEqual([[sent.body.messageId, own.agentId]]);
    expect(JSON.stringify(body)).not.toContain(agent.agentId);
    expect(body.outbox).toBeNull();
    expect(body.alerts).toEqual([]);
    const operator = await restCall<{ recentMessages: Array<{ id: string }> }>(server.url, ADMIN_TOKEN, 'GET', '/console/overview');
    expect(operator.body.recentMessages.map((m) => m.id)).toEqual(expect.arrayContaining([messageId, sent.body.messageId]));
    const reveal = await restCall<{ error: { code: string } }>(server.url, customer.adminToken, 'POST', '/console/reveal', { kind: 'message', id: sent.body.messageId });
    expect(reveal.body.error.code).toBe('OPERATOR_ONLY');
  });
});
