import Database from 'better-sqlite3';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import type { SignedWebhook } from '../simulators/twilio/twilio-webhook-signing.js';
import { freePort } from '../support/haproxy.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { createAgentOver, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startTestServer } from '../support/test-server.js';

/**
 * A provider retries a webhook until it gets a 2xx; so "acknowledged" must mean "stored", and a webhook answered
 * otherwise (an error, a hang-up, a killed server) must be stored exactly once when it comes again. This is what
 * the bench's row count checks under load: here with many webhooks at once against a small connection pool, with
 * clients that hang up mid-request (as a load generator's timeout does), and with the server SIGKILLed mid-load.
 */
const AGENT_NUMBER = '+15550100177';
const CONCURRENT = 300;
/** Every HANG_UP-th webhook's client hangs up once its body is sent, before any answer. */
const HANG_UP = 7;

type Db = { use: string; options: Record<string, unknown> } | undefined;
/** What the provider saw: a status, or no answer at all (null). */
type Answer = { sid: string; status: number | null };

/** Rows stored per MessageSid: the count of each. */
type StoredCounts = Map<string, number>;

const sender = (i: number) => `+1555010${String(1000 + (i % 9000)).padStart(4, '0')}`;

/** POSTs a signed webhook and hangs up as soon as its body is written: the provider never learns the outcome. */
function postThenHangUp(webhook: SignedWebhook): Promise<void> {
  return new Promise((resolve) => {
    const req = request(webhook.url, { method: 'POST', agent: false, headers: { ...webhook.headers, 'content-length': String(Buffer.byteLength(webhook.rawBody)) } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.end(webhook.rawBody, () => req.destroy());
  });
}

/** Sends every webhook at once; the hang-up ones are answered null. */
async function deliverAll(sim: TwilioSimulator, url: string, count: number, hangUp: (i: number) => boolean): Promise<Answer[]> {
  return Promise.all(Array.from({ length: count }, async (_, i): Promise<Answer> => {
    const input = { url, from: sender(i), to: AGENT_NUMBER, body: `inbound ${i}`, messageSid: `SM${String(i).padStart(32, '0')}` };
    if (hangUp(i)) {
      // Built through the simulator (so it can redeliver it byte for byte), sent by a client that hangs up.
      const webhook = sim.buildInboundSms(input);
      await postThenHangUp(webhook);
      return { sid: webhook.messageSid, status: null };
    }
    return sim.injectInboundSms(input).then((d) => ({ sid: d.messageSid, status: d.status }), () => ({ sid: input.messageSid, status: null }));
  }));
}

/** The provider's retry: every webhook not acknowledged is sent again until it is. */
async function redeliverUnacknowledged(sim: TwilioSimulator, url: string, answers: Answer[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const answer of answers.filter((a) => !isAcknowledged(a))) {
    const i = Number(answer.sid.slice(2));
    const input = { url, from: sender(i), to: AGENT_NUMBER, body: `inbound ${i}`, messageSid: answer.sid };
    statuses.push((await sim.injectInboundSms(input)).status);
  }
  return statuses;
}

const isAcknowledged = (answer: Answer): boolean => answer.status !== null && answer.status >= 200 && answer.status < 300;

function missingOrDuplicated(stored: StoredCounts, sids: string[]): { missing: string[]; duplicated: string[] } {
  return {
    missing: sids.filter((sid) => !stored.has(sid)),
    duplicated: [...stored].filter(([, n]) => n > 1).map(([sid]) => sid),
  };
}

const COUNT_SQL = "select provider_message_id as sid, count(*) as n from messages where direction = 'inbound' group by provider_message_id";

function sqliteCounts(file: string): StoredCounts {
  const sqlite = new Database(file, { readonly: true });
  try {
    return new Map((sqlite.prepare(COUNT_SQL).all() as Array<{ sid: string; n: number }>).map((r) => [r.sid, Number(r.n)]));
  } finally {
    sqlite.close();
  }
}

describe('acknowledged webhooks under concurrency, with clients hanging up', { timeout: 240_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], webhookTimeoutMs: 120_000 });
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  beforeAll(async () => {
    await sim.start();
    if (POSTGRES_URL) schemas = await postgresSchemas(POSTGRES_URL);
  });
  afterAll(async () => {
    await sim.stop();
    await schemas?.close();
  });

  async function run(db: Db, counts: (schema: string | null, dir: string) => Promise<StoredCounts>): Promise<void> {
    const server = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl } },
      ...(db ? { db } : {}),
      extra: { security: { loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0, rateLimits: { global: { requests: 0 }, webhooks: { requests: 0 } } } },
    });
    try {
      const { agentId } = await server.createAgent({ name: 'Inbox', phone: AGENT_NUMBER });
      const url = `${server.url}/webhooks/${agentId}/sms`;
      const answers = await deliverAll(sim, url, CONCURRENT, (i) => i % HANG_UP === 0);
      const schema = (db?.options.schema as string | undefined) ?? null;

      // Every acknowledged webhook is stored, once; the others may or may not be (the provider cannot know).
      const acknowledged = answers.filter(isAcknowledged).map((a) => a.sid);
      expect(acknowledged.length).toBe(CONCURRENT - Math.ceil(CONCURRENT / HANG_UP));
      const before = await counts(schema, server.dir);
      expect(missingOrDuplicated(before, acknowledged)).toEqual({ missing: [], duplicated: [] });

      // The provider redelivers the rest: each is acknowledged and every webhook ends stored exactly once.
      const retried = await redeliverUnacknowledged(sim, url, answers);
      expect(retried.every((status) => status === 200)).toBe(true);
      const after = await counts(schema, server.dir);
      expect(missingOrDuplicated(after, answers.map((a) => a.sid))).toEqual({ missing: [], duplicated: [] });
      expect(after.size).toBe(CONCURRENT);
    } finally {
      await server.close();
    }
  }

  it('SQLite: each acknowledged one is stored once; redelivery stores the rest once', async () => {
    await run(undefined, async (_schema, dir) => sqliteCounts(join(dir, 'comms.sqlite')));
  });

  it.skipIf(!POSTGRES_URL)('PostgreSQL, a pool of 2 connections: each acknowledged one is stored once; redelivery stores the rest once', async () => {
    const schema = schemas!.fresh();
    await run({ use: 'postgresql', options: { url: POSTGRES_URL!, schema, poolMax: 2 } }, async () => pgCounts(schemas!, schema));
  });
});

async function pgCounts(schemas: NonNullable<Awaited<ReturnType<typeof postgresSchemas>>>, schema: string): Promise<StoredCounts> {
  const rows = await schemas.query<{ sid: string; n: string }>(COUNT_SQL.replace('from messages', `from "${schema}".messages`));
  return new Map(rows.map((r) => [r.sid, Number(r.n)]));
}

/**
 * A crash: the server process is SIGKILLed while hundreds of webhooks are in flight. What it acknowledged before
 * dying is on disk; the provider redelivers the others to the restarted server, and each is stored exactly once.
 */
describe('a server SIGKILLed mid-load, then the provider redelivers', { timeout: 300_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], webhookTimeoutMs: 120_000 });
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    await sim.start();
    if (POSTGRES_URL) schemas = await postgresSchemas(POSTGRES_URL);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await sim.stop();
    await schemas?.close();
  });

  async function crashAndRedeliver(db: Db, counts: (dir: string) => Promise<StoredCounts>): Promise<void> {
    // A fixed port: the provider's signed URL must reach the restarted server too.
    const port = await freePort();
    const config = serverProcessConfig({
      server: { host: '127.0.0.1', port },
      publicBaseUrl: `http://127.0.0.1:${port}`,
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl } },
      security: { loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0, rateLimits: { global: { requests: 0 }, webhooks: { requests: 0 } } },
      ...(db ? { db } : {}),
    });
    const dir = join(config, '..');
    const first = await startServerProcess(config);
    servers.push(first);
    const { agentId } = await createAgentOver(first.url, { name: 'Inbox', phone: AGENT_NUMBER });
    const url = `${first.url}/webhooks/${agentId}/sms`;

    // The kill comes once a sixth of the webhooks are acknowledged: the rest are queued, in flight or unread.
    let acknowledgedSoFar = 0;
    let killed: Promise<void> | null = null;
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, async (_, i): Promise<Answer> => {
      const input = { url, from: sender(i), to: AGENT_NUMBER, body: `inbound ${i}`, messageSid: `SM${String(i).padStart(32, '0')}` };
      const answer = await sim.injectInboundSms(input).then((d) => ({ sid: d.messageSid, status: d.status }), () => ({ sid: input.messageSid, status: null }));
      if (isAcknowledged(answer) && ++acknowledgedSoFar === CONCURRENT / 6) killed = first.kill();
      return answer;
    }));
    await killed;
    const acknowledged = answers.filter(isAcknowledged).map((a) => a.sid);
    expect(acknowledged.length).toBeGreaterThanOrEqual(CONCURRENT / 6);
    expect(acknowledged.length).toBeLessThan(CONCURRENT);

    const second = await startServerProcess(config);
    servers.push(second);
    const before = await counts(dir);
    expect(missingOrDuplicated(before, acknowledged)).toEqual({ missing: [], duplicated: [] });

    const retried = await redeliverUnacknowledged(sim, url, answers);
    expect(retried.every((status) => status === 200)).toBe(true);
    const after = await counts(dir);
    expect(missingOrDuplicated(after, answers.map((a) => a.sid))).toEqual({ missing: [], duplicated: [] });
    expect(after.size).toBe(CONCURRENT);
  }

  it('SQLite: what was acknowledged survives, redelivery stores the rest once', async () => {
    await crashAndRedeliver(undefined, async (dir) => sqliteCounts(join(dir, 'comms.sqlite')));
  });

  it.skipIf(!POSTGRES_URL)('PostgreSQL: what was acknowledged survives, redelivery stores the rest once', async () => {
    const schema = schemas!.fresh();
    await crashAndRedeliver({ use: 'postgresql', options: { url: POSTGRES_URL!, schema, poolMax: 4 } }, async () => pgCounts(schemas!, schema));
  });
});
