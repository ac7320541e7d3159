import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { MockEmail } from '../../adapters/mock/mock-email.js';
import type { MockTelephony } from '../../adapters/mock/mock-telephony.js';
import { deliverDueCallbacks } from '../../core/callbacks/deliver-callbacks.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { ADMIN_TOKEN, recordingLogger, startTestServer, testDbConfig, type TestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';

const SECRET = `whsec_${Buffer.from('alert-webhook-secret-for-tests!!').toString('base64')}`;
const OPERATOR_PHONE = '+15550100190';
const OPERATOR_EMAIL = 'operator@example.com';

interface AlertBody { type: string; data: { trigger: string; key: string; severity: string; summary: string; details: Record<string, unknown> } }

const dbs: Array<[string, string | null]> = [['SQLite', null], ...(POSTGRES_URL ? [['PostgreSQL', POSTGRES_URL] as [string, string]] : [])];

describe.each(dbs)('alerts (%s)', (_name, pgUrl) => {
  let server: TestServer;
  let receiver: CallbackReceiver;
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  afterEach(async () => {
    await server?.close();
    await receiver?.stop();
    await schemas?.close();
    schemas = undefined;
  });

  /** A server whose every alert goes to a signed webhook; CRITICAL ones also to the operator's sms and email. */
  async function start(alerts: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ telephony: MockTelephony }> {
    receiver = await new CallbackReceiver().start();
    schemas = pgUrl ? await postgresSchemas(pgUrl) : undefined;
    const db = pgUrl ? { use: 'postgresql', options: { url: pgUrl, schema: schemas!.fresh(), poolMax: 4 } } : undefined;
    const routes = { CRITICAL: ['log', 'webhook', 'sms', 'email'], HIGH: ['webhook'], MEDIUM: ['webhook'], LOW: ['webhook'] };
    server = await startTestServer({
      ...(db ? { db } : {}),
      extra: { email: { use: 'mock' }, alerts: { routes, webhook: { url: receiver.url, secret: SECRET }, ...alerts }, ...extra },
    });
    return { telephony: server.app.ports.telephony!.port as MockTelephony };
  }

  /** The alerts the webhook received, each checked against its Standard Webhooks signature. */
  const alertsReceived = (): AlertBody[] => {
    const verifier = new Webhook(SECRET);
    return receiver.received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as AlertBody);
  };
  const alertOf = (trigger: string) => eventually(() => alertsReceived().find((a) => a.data.trigger === trigger));

  it('delivers a CRITICAL alert to each sink: a signed webhook, the operator\'s sms and email through the server\'s own channels, the log', async () => {
    const lines: Array<{ level: string; msg: string }> = [];
    receiver = await new CallbackReceiver().start();
    schemas = pgUrl ? await postgresSchemas(pgUrl) : undefined;
    const db = pgUrl ? { use: 'postgresql', options: { url: pgUrl, schema: schemas!.fresh(), poolMax: 4 } } : undefined;
    const bootstrap = await startTestServer({ ...(db ? { db } : {}), extra: { email: { use: 'mock' } } });
    const operator = await bootstrap.createAgent({ name: 'operator', phone: '+15550100191', email: 'alerts@example.com' });
    await bootstrap.close();
    // The same database again, now with the operator agent in it (alerts name it in the config).
    server = await startTestServer({
      db: db ?? testDbConfig(bootstrap.dir),
      logger: recordingLogger(lines),
      extra: {
        email: { use: 'mock' },
        alerts: {
          routes: { CRITICAL: ['log', 'webhook', 'sms', 'email'] },
          operator: { agentId: operator.agentId, sms: OPERATOR_PHONE, email: OPERATOR_EMAIL },
          webhook: { url: receiver.url, secret: SECRET },
        },
      },
    });
    server.app.ports.alerts.raise({ trigger: 'test', key: 'test:1', severity: 'CRITICAL', summary: 'Something broke.', details: { provider: 'mock' } });
    await server.app.alerts.settled();
    const [alert] = alertsReceived();
    expect(alert).toMatchObject({ type: 'alert', data: { trigger: 'test', severity: 'CRITICAL', summary: 'Something broke.', details: { provider: 'mock' } } });
    expect(() => new Webhook(`whsec_${Buffer.from('another-secret-of-32-bytes-long!').toString('base64')}`).verify(receiver.received[0]!.body, receiver.received[0]!.headers as Record<string, string>)).toThrow();
    const sms = (server.app.ports.telephony!.port as MockTelephony).sent.filter((s) => s.to === OPERATOR_PHONE);
    expect(sms.map((s) => s.body)).toEqual(['[CRITICAL] Something broke.']);
    const mail = (server.app.ports.email!.port as MockEmail).sent.filter((m) => m.to.includes(OPERATOR_EMAIL));
    expect(mail).toHaveLength(1);
    expect(lines.some((l) => l.level === 'error' && l.msg === 'alert: Something broke.')).toBe(true);
  });

  it('de-duplicates the same key, and rate-limits each key per hour', async () => {
    await start({ dedupSeconds: 0, maxPerKeyPerHour: 2 });
    for (let i = 0; i < 5; i++) server.app.ports.alerts.raise({ trigger: 'test', key: 'same', severity: 'LOW', summary: `n${i}`, details: {} });
    server.app.ports.alerts.raise({ trigger: 'test', key: 'other', severity: 'LOW', summary: 'other', details: {} });
    await server.app.alerts.settled();
    expect(alertsReceived().map((a) => a.data.summary)).toEqual(['n0', 'n1', 'other']);
  });

  it('raises provider-auth (CRITICAL) when the provider refuses our credentials, provider-outage when its error rate passes the threshold', async () => {
    const { telephony } = await start({ triggers: { providerOutage: { minCalls: 3, errorRatePercent: 60 } } });
    const agent = await server.createAgent({ name: 'sender', phone: '+15550100192' });
    const send = (i: number) => server.app.runner.run('comms_send_message', { kind: 'agent', agentId: agent.agentId }, { channel: 'sms', to: `+1555010020${i}`, body: 'hi' }).catch(() => null);
    telephony.injectFault('auth-failed');
    await send(0);
    expect((await alertOf('provider-auth')).data).toMatchObject({ severity: 'CRITICAL', key: 'provider-auth:mock' });
    telephony.injectFault('server-error');
    await send(1);
    await send(2);
    // 3 calls, 2 outages: 67 % ≥ 60 %.
    expect((await alertOf('provider-outage')).data).toMatchObject({ severity: 'HIGH', details: { provider: 'mock', calls: 3, failures: 2 } });
  });

  it('raises webhook-signatures after a burst of badly signed webhooks', async () => {
    await start({ triggers: { webhookSignatureFailures: { count: 3 } } });
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/webhooks/sms/status`, { method: 'POST', body: 'x' })).status).toBe(403);
    expect((await alertOf('webhook-signatures')).data).toMatchObject({ details: { failures: 3, source: 'sms/status' } });
  });

  it('raises spending alerts at the configured thresholds', async () => {
    await start({}, usageConfig({ spend: { perDay: '0.02' } }, { alertThresholds: [50, 100] }));
    const agent = await server.createAgent({ name: 'spender', phone: '+15550100193' });
    await server.app.runner.run('comms_send_message', { kind: 'agent', agentId: agent.agentId }, { channel: 'sms', to: '+15550100210', body: 'hi' });
    expect((await alertOf('spending')).data).toMatchObject({ severity: 'MEDIUM', details: { agentId: agent.agentId, thresholdPercent: 50 } });
  });

  it('raises outbox-backlog when the oldest forward due has waited past the threshold', async () => {
    await start({ triggers: { outboxBacklogSeconds: 600 } });
    const agent = await server.createAgent({ name: 'slow receiver', phone: '+15550100195' });
    const now = server.app.ports.clock.now();
    const waiting = (id: string, ageSeconds: number) => server.app.ports.db.callbacks.enqueue({
      id, agentId: agent.agentId, messageId: null, url: 'http://127.0.0.1:9/unreachable', payload: '{}', status: 'pending', attempts: 3,
      nextAttemptAt: now, lastError: '500', createdAt: new Date(now.getTime() - ageSeconds * 1000), updatedAt: now,
    });
    await waiting('evt_recent', 30);
    await deliverDueCallbacks(server.app.ports);
    await server.app.alerts.settled();
    expect(alertsReceived().filter((a) => a.data.trigger === 'outbox-backlog')).toEqual([]);
    await waiting('evt_old', 700);
    await deliverDueCallbacks(server.app.ports);
    expect((await alertOf('outbox-backlog')).data).toMatchObject({ severity: 'MEDIUM', details: { agentId: agent.agentId, ageSeconds: expect.any(Number) } });
  });

  it('suspends an agent on an anomaly (a burst of refusals) with AGENT_SUSPENDED until an admin resumes it over REST', async () => {
    await start({ anomalies: { suspend: true, refusals: { count: 3 } } });
    const agent = await server.createAgent({ name: 'odd', phone: '+15550100194' });
    const send = (body: string) => fetch(`${server.url}/api/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'sms', to: '+15550100211', body }),
    });
    // Three refusals (a do-not-contact entry) make a burst.
    await server.app.runner.run('comms_add_do_not_contact', { kind: 'admin' }, { numbers: ['+15550100211'] });
    for (let i = 0; i < 3; i++) expect((await send('x')).status).toBe(403);
    expect((await alertOf('anomaly')).data).toMatchObject({ severity: 'HIGH', details: { agentId: agent.agentId, finding: 'refusals', suspended: true } });
    const refused = await fetch(`${server.url}/api/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'sms', to: '+15550100212', body: 'fine' }),
    });
    expect(await refused.json()).toMatchObject({ error: { code: 'AGENT_SUSPENDED', details: { finding: 'refusals' } } });
    const resumed = await fetch(`${server.url}/api/v1/agents/${agent.agentId}/resume`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await resumed.json()).toEqual({ agentId: agent.agentId, wasSuspended: 'refusals' });
    const sent = await fetch(`${server.url}/api/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'sms', to: '+15550100212', body: 'fine' }),
    });
    expect(sent.status).toBe(201);
  });
});
