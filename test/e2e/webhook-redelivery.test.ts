import { request, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { recordingLogger, startTestServer } from '../support/test-server.js';

const AGENT_NUMBER = '+15550100142';
const CALLER = '+15550100143';
type Db = { use: string; options: Record<string, unknown> } | undefined;

/**
 * POSTs one body `times` times at once, as a provider's retries racing each other: every request's head is sent
 * first, then every body in the same tick, so that the server handles them interleaved.
 */
async function postAtOnce(url: string, headers: Record<string, string>, body: string, times: number): Promise<Array<{ status: number; body: string }>> {
  const requests: ClientRequest[] = [];
  const answers = Array.from({ length: times }, () => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.flushHeaders();
    requests.push(req);
  }));
  // Lets the connections open and the heads arrive; the bodies then all come together.
  await sleep(200);
  for (const req of requests) req.end(body);
  return Promise.all(answers);
}

/** Ten identical, concurrent deliveries of one signed incoming-call webhook: the answers and the calls stored. */
async function redeliverIncomingCall(db: Db): Promise<{ statuses: number[]; distinctBodies: number; calls: number }> {
  const twilio = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  await twilio.start();
  const server = await startTestServer({
    telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
    extra: { brain: { use: 'mock', options: { replies: ['Hello.'] } } },
    ...(db ? { db } : {}),
  });
  try {
    const { agentId } = await server.createAgent({ name: 'Reception', phone: AGENT_NUMBER });
    const call = twilio.buildIncomingCall({ url: `${server.url}/webhooks/${agentId}/voice`, from: CALLER, to: AGENT_NUMBER });
    const answers = await postAtOnce(call.url, call.headers, call.rawBody, 10);
    const calls = await server.app.ports.db.calls.list({ agentId, limit: 100 });
    return { statuses: answers.map((a) => a.status), distinctBodies: new Set(answers.map((a) => a.body)).size, calls: calls.length };
  } finally {
    await server.close();
    await twilio.stop();
  }
}

const EVERY_ONE_ANSWERED_ONCE = { statuses: Array(10).fill(200), distinctBodies: 1, calls: 1 };

describe('ten concurrent redeliveries of one incoming call', () => {
  it('SQLite: every one gets the same answer, one call is logged', async () => {
    expect(await redeliverIncomingCall(undefined)).toEqual(EVERY_ONE_ANSWERED_ONCE);
  });

  describe.skipIf(!POSTGRES_URL)('PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
    let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
    beforeAll(async () => {
      schemas = await postgresSchemas(POSTGRES_URL!);
    });
    afterAll(async () => schemas?.close());

    it('every one gets the same answer, one call is logged', async () => {
      expect(await redeliverIncomingCall({ use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh(), poolMax: 8 } })).toEqual(EVERY_ONE_ANSWERED_ONCE);
    });
  });
});

describe('a signed email.received whose email Resend does not know', () => {
  const sim = new ResendSimulator({ eventDelayMs: 5 });
  const lines: Array<{ level: string; msg: string }> = [];
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let agentId: string;
  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      extra: { email: { use: 'resend', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: 1500 } } },
      logger: recordingLogger(lines),
    });
    ({ agentId } = await server.createAgent({ name: 'Mail agent', email: 'agent@example.com' }));
  });
  afterAll(async () => {
    await server?.close();
    await sim.stop();
  });

  it('is acknowledged (2xx, so Resend stops retrying), logged as a warning, and nothing is stored', async () => {
    const { email, webhook } = sim.buildInbound({ url: `${server.url}/webhooks/${agentId}/email`, from: 'ada@example.com', to: ['agent@example.com'], subject: 'Gone' });
    // Resend no longer knows it (deleted, or another account's): its receiving API answers 404.
    sim.inbound.splice(sim.inbound.indexOf(email), 1);
    const res = await fetch(webhook.url, { method: 'POST', headers: webhook.headers, body: webhook.rawBody });
    expect(res.status).toBe(200);
    expect(lines.filter((l) => l.level === 'warn' && l.msg.includes('does not know'))).toHaveLength(1);
    expect(await server.app.ports.db.messages.list({ agentId, limit: 10 })).toEqual([]);
  });
});
