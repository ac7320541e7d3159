import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../../adapters/node/in-process-job-queue.js';
import { PgBossJobQueue } from '../../adapters/pg-boss/pg-boss-job-queue.js';
import type { JobCounts, JobQueue } from '../../ports/jobs.js';
import { JOB_TEST_SETTINGS, silentLogger } from '../support/job-queue-settings.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';

const WORKER = join(import.meta.dirname, '..', 'support', 'job-queue-worker.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

const counts = async (queue: JobQueue, name: string): Promise<JobCounts> => {
  const job = (await queue.status()).jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no status for ${name}`);
  return job;
};

/** The contract every JobQueue keeps, whichever backend: `open` gives a queue on the same shared store each call. */
function jobQueueContract(backend: string, open: () => JobQueue): void {
  describe(`JobQueue contract: ${backend}`, { timeout: 60_000 }, () => {
    const opened: JobQueue[] = [];
    const queue = (): JobQueue => {
      const q = open();
      opened.push(q);
      return q;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.stop()));
    });

    it('retries a failing run with doubling delays, then dead-letters it and shows it in the status', async () => {
      const q = queue();
      const runs: number[] = [];
      q.define({
        name: 'fail.test', retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 30,
        run: async () => {
          runs.push(Date.now());
          throw new Error('receiver database unreachable');
        },
      });
      await q.start();
      q.trigger('fail.test');
      const dead = await until(async () => {
        const c = await counts(q, 'fail.test');
        return c.deadLettered > 0 ? c : undefined;
      });
      expect(runs).toHaveLength(3);
      // Back-off: the second retry waited at least twice the first delay (jitter and polling only add).
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(900);
      expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(1_800);
      expect(dead).toMatchObject({ deadLettered: 1, failed: 1, active: 0, queued: 0, lastError: 'receiver database unreachable' });
      await sleep(1_500);
      expect(runs).toHaveLength(3);
    });

    it('merges a burst of triggers into a run or two', async () => {
      const q = queue();
      let runs = 0;
      q.define({
        name: 'burst.test', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 30,
        run: async () => {
          runs += 1;
          await sleep(200);
        },
      });
      await q.start();
      for (let i = 0; i < 50; i += 1) q.trigger('burst.test');
      await until(async () => (runs > 0 ? true : undefined));
      await sleep(3_000);
      expect(runs).toBeGreaterThanOrEqual(1);
      expect(runs).toBeLessThanOrEqual(3);
      expect(await counts(q, 'burst.test')).toMatchObject({ queued: 0, active: 0, failed: 0, deadLettered: 0, lastError: null });
    });

    it('runs a periodic job at start and once per period, across every server that defines it', async () => {
      const servers = backend === 'pg-boss' ? 3 : 1;
      const runs: number[] = [];
      const started = Date.now();
      for (let i = 0; i < servers; i += 1) {
        const q = queue();
        q.define({ name: 'sweep.test', everySeconds: 1, retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 30, run: async () => void runs.push(Date.now()) });
        await q.start();
      }
      await sleep(4_000);
      const elapsedSeconds = (Date.now() - started) / 1000;
      // One run per one-second slot at most (+1: the slot the first start fell in), not one per server and slot.
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
    });
  });
}

jobQueueContract('in-process', () => new InProcessJobQueue(silentLogger));

describe.skipIf(!POSTGRES_URL)('pg-boss on PostgreSQL', () => {
  // A schema per test: pg-boss's queues of one test never meet another's.
  let schema = testSchemaName();
  afterEach(() => void (schema = testSchemaName()));
  jobQueueContract('pg-boss', () => new PgBossJobQueue({ url: POSTGRES_URL!, schema, ...JOB_TEST_SETTINGS }, silentLogger));

  describe('a server killed mid-run', { timeout: 90_000 }, () => {
    it('leaves its run to another server once the run expires', async () => {
      const killSchema = testSchemaName();
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), WORKER], {
        env: { ...process.env, JOBS_PG_URL: POSTGRES_URL, JOBS_PG_SCHEMA: killSchema },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('started\n')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before starting the run`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const survivor = new PgBossJobQueue({ url: POSTGRES_URL!, schema: killSchema, ...JOB_TEST_SETTINGS }, silentLogger);
      let taken = 0;
      survivor.define({ name: 'kill.test', retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 2, run: async () => void (taken += 1) });
      try {
        await survivor.start();
        await until(async () => (taken > 0 ? true : undefined), 60_000);
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        try {
          const { rows } = await client.query(`SELECT state, retry_count FROM ${killSchema}.job WHERE name = 'kill.test'`);
          // The one run: expired on the killed server, retried and completed here.
          expect(rows).toEqual([{ state: 'completed', retry_count: 1 }]);
        } finally {
          await client.end();
        }
        expect(taken).toBe(1);
      } finally {
        await survivor.stop();
      }
    });
  });
});
