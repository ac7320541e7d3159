import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatusView } from '../../core/jobs/get-job-status.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { JOB_TEST_SETTINGS } from '../support/job-queue-settings.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SERVERS = 3;
const MAX_ATTEMPTS = 3;

/**
 * Three servers on one PostgreSQL database share the background work through pg-boss: a sweep scheduled on
 * all three runs once per period, callback deliveries go out once per attempt whichever server sends them,
 * and a delivery that keeps failing is retried with back-off, given up, and shown by comms_get_job_status.
 */
describe.skipIf(!POSTGRES_URL)('background jobs on three servers sharing PostgreSQL', { timeout: 120_000 }, () => {
  const receiver = new CallbackReceiver();
  const servers: TestServer[] = [];
  let schema = '';
  let client: pg.Client;

  beforeAll(async () => {
    await receiver.start();
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await receiver.stop();
    await client.end();
  });

  async function startServers(): Promise<void> {
    schema = testSchemaName();
    const extra = {
      recovery: { stuckAfterSeconds: 60, intervalSeconds: 1 },
      callbacks: { pollIntervalMs: 1000, maxAttempts: MAX_ATTEMPTS },
      jobs: { ...JOB_TEST_SETTINGS, retryLimit: 1, retryDelaySeconds: 1, expireInSeconds: 30 },
    };
    const db = { use: 'postgresql', options: { url: POSTGRES_URL, schema } };
    // One after another: the first creates the tables, the others find them.
    for (let i = 0; i < SERVERS; i += 1) servers.push(await startTestServer({ db, extra }));
  }

  it('runs a sweep scheduled on every server once per period', async () => {
    await startServers();
    // Counted over a window once all three run: slots are whole seconds.
    const windowStart = Math.floor(Date.now() / 1000) * 1000;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const windowSeconds = (Date.now() - windowStart) / 1000;
    const { rows } = await client.query<{ state: string; singleton_on: Date }>(
      `SELECT state, singleton_on FROM ${schema}_jobs.job WHERE name = 'recovery.stuck-sends' AND singleton_on >= $1`, [new Date(windowStart)],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // Without the queue each server would sweep each second: three times as many.
    expect(rows.length).toBeLessThanOrEqual(Math.ceil(windowSeconds));
    expect(new Set(rows.map((r) => r.singleton_on.getTime())).size).toBe(rows.length);
    expect(rows.filter((r) => r.state === 'failed')).toEqual([]);
  });

  it('sends each callback once per attempt, retries a failing one with back-off, then gives it up and shows it', async () => {
    await startServers();
    const [first] = servers;
    const agent = await first!.createAgent({ name: 'Outbox', callbackUrl: receiver.url });
    const now = new Date();
    const enqueue = (id: string) => first!.app.ports.db.callbacks.enqueue({
      id, agentId: agent.agentId, messageId: null, url: receiver.url, payload: JSON.stringify({ type: 'test.event', id }),
      status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, createdAt: now, updatedAt: now,
    });
    // The receiver fails the first MAX_ATTEMPTS requests: the first delivery (sent alone) is given up.
    receiver.failNext(MAX_ATTEMPTS);
    await enqueue('dlv_failing');
    for (const server of servers) server.app.ports.notifyCallbacksPending();
    await receiver.waitFor(MAX_ATTEMPTS, 30_000);
    await eventually(async () => ((await first!.app.ports.db.callbacks.findById('dlv_failing'))?.status === 'dead' ? true : undefined), 10_000);

    // Then a burst, every server triggered for each: each is delivered exactly once.
    const burst = Array.from({ length: 30 }, (_, i) => `dlv_burst_${String(i).padStart(2, '0')}`);
    for (const id of burst) {
      await enqueue(id);
      for (const server of servers) server.app.ports.notifyCallbacksPending();
    }
    await receiver.waitFor(MAX_ATTEMPTS + burst.length, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids.slice(0, MAX_ATTEMPTS)).toEqual(Array(MAX_ATTEMPTS).fill('dlv_failing'));
    expect(ids.slice(MAX_ATTEMPTS).sort()).toEqual(burst);
    expect(receiver.received.slice(0, MAX_ATTEMPTS).map((r) => r.answered)).toEqual(Array(MAX_ATTEMPTS).fill(500));
    // The outbox's back-off between attempts: 2 s, then 4 s (webhook-timestamp is in whole seconds).
    const sentAt = receiver.received.slice(0, MAX_ATTEMPTS).map((r) => Number(r.headers['webhook-timestamp']));
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(1);
    expect(sentAt[2]! - sentAt[1]!).toBeGreaterThanOrEqual(3);

    const status = (await servers[2]!.app.runner.run('comms_get_job_status', { kind: 'admin' }, {})) as JobStatusView;
    expect(status.backend).toBe('pg-boss');
    expect(status.callbackOutbox).toEqual({ pending: 0, oldestPendingAgeSeconds: 0, dead: 1 });
    expect(status.jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['callbacks.deliver', 'recovery.stuck-sends']));
    expect(status.jobs.find((j) => j.name === 'callbacks.deliver')).toMatchObject({ failed: 0, deadLettered: 0 });
  });
});
