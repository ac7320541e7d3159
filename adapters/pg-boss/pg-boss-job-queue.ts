/**
 * The shared job queue of servers on one PostgreSQL database, on pg-boss. pg-boss keeps its tables in its
 * own schema (created on start, under an advisory lock, so servers starting together do not race).
 * - Each run is one pg-boss job, fetched by one server (SKIP LOCKED); a failed run is retried with
 *   doubling delays, then moved to the job's dead-letter queue (`<name>.dead`), where it stays for the
 *   operator to see.
 * - A periodic job is sent by every server each period with the period's slot as singleton: the unique
 *   slot lets one job through per period, whatever the number of servers.
 * - A run whose server died stays active until it expires; pg-boss's maintenance (one server at a time)
 *   then fails it, and the retry goes to any server.
 */
import PgBoss from 'pg-boss';
import type { JobCounts, JobDefinition, JobQueue, JobQueueStatus } from '../../ports/jobs.js';
import type { Logger } from '../../ports/runtime.js';

export interface PgBossJobQueueOptions {
  url: string;
  /** pg-boss's own schema; a plain identifier. */
  schema: string;
  /** How often an idle worker looks for a job (a trigger on this server wakes it at once). */
  pollingIntervalSeconds: number;
  /** How often expired runs are failed (and old jobs archived), by one server of all. */
  maintenanceIntervalSeconds: number;
  /** Connections of pg-boss's own pool. */
  poolMax?: number;
}

const DEAD_SUFFIX = '.dead';
/** Triggers within the same second become one job; later ones queue one job for the next second. */
const TRIGGER_SLOT_SECONDS = 1;

export const PG_BOSS_SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class PgBossJobQueue implements JobQueue {
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly workerIds = new Map<string, string>();
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly boss: PgBoss;
  private started = false;

  constructor(private readonly options: PgBossJobQueueOptions, private readonly logger: Logger) {
    if (!PG_BOSS_SCHEMA_NAME.test(options.schema)) throw new Error(`jobs.schema must be a plain identifier, got "${options.schema}"`);
    this.boss = new PgBoss({
      connectionString: options.url,
      schema: options.schema,
      max: options.poolMax ?? 4,
      application_name: 'agentos-comms-jobs',
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
      // A periodic job completes every period: keep an hour of them live and two days archived, not pg-boss's
      // 12 hours and 7 days (failed runs stay live for pg-boss's 7 days, for the operator).
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 2,
      // No cron schedules: periodic jobs are throttled sends (see above), which allow periods under a minute.
      schedule: false,
    });
    // pg-boss reports its own failures (a lost connection, a maintenance error) as events; they must not crash the process.
    this.boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
  }

  define(job: JobDefinition): void {
    this.jobs.set(job.name, job);
  }

  async start(): Promise<void> {
    await this.boss.start();
    this.started = true;
    for (const job of this.jobs.values()) {
      const dead = job.name + DEAD_SUFFIX;
      await this.boss.createQueue(dead);
      const queue = {
        name: job.name,
        policy: 'standard' as const,
        retryLimit: job.retryLimit,
        retryDelay: Math.max(1, Math.round(job.retryDelaySeconds)),
        retryBackoff: true,
        expireInSeconds: job.expireInSeconds,
        deadLetter: dead,
      };
      await this.boss.createQueue(job.name, queue);
      // createQueue leaves an existing queue as it was: settings changed in the config apply from here.
      await this.boss.updateQueue(job.name, queue);
      const workerId = await this.boss.work(job.name, { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds }, async () => {
        await job.run();
      });
      this.workerIds.set(job.name, workerId);
    }
    for (const job of this.jobs.values()) {
      const { everySeconds } = job;
      if (everySeconds === undefined) continue;
      // Slots are whole seconds: a shorter period would only send jobs the slot refuses.
      const period = Math.max(1, Math.round(everySeconds));
      const tick = (): void => void this.send(job.name, { singletonSeconds: period, singletonKey: 'every' });
      this.intervals.push(setInterval(tick, period * 1000));
      tick();
    }
    for (const interval of this.intervals) interval.unref();
  }

  trigger(name: string): void {
    if (!this.started) return;
    void this.send(name, { singletonSeconds: TRIGGER_SLOT_SECONDS, singletonNextSlot: true, singletonKey: 'trigger' });
  }

  private async send(name: string, options: PgBoss.SendOptions): Promise<void> {
    try {
      const id = await this.boss.send(name, {}, options);
      const workerId = this.workerIds.get(name);
      // Run it here now rather than at the next poll (another server may still take it first).
      if (id !== null && workerId) this.boss.notifyWorker(workerId);
    } catch (err) {
      this.logger.error({ err, job: name }, 'could not queue a background job; its next period catches up');
    }
  }

  async status(): Promise<JobQueueStatus> {
    const names = [...this.jobs.keys()];
    const db = this.boss.getDb();
    const schema = this.options.schema;
    const { rows } = await db.executeSql(
      `SELECT name, state, COUNT(*)::int AS count FROM ${schema}.job WHERE name = ANY($1::text[]) GROUP BY name, state`,
      [[...names, ...names.map((name) => name + DEAD_SUFFIX)]],
    );
    const { rows: errors } = await db.executeSql(
      `SELECT DISTINCT ON (name) name, output->>'message' AS message FROM ${schema}.job WHERE name = ANY($1::text[]) ORDER BY name, created_on DESC`,
      [names.map((name) => name + DEAD_SUFFIX)],
    );
    const count = (name: string, states: string[]): number =>
      (rows as Array<{ name: string; state: string; count: number }>)
        .filter((row) => row.name === name && states.includes(row.state))
        .reduce((sum, row) => sum + row.count, 0);
    const jobs: JobCounts[] = names.map((name) => ({
      name,
      queued: count(name, ['created', 'retry']),
      active: count(name, ['active']),
      failed: count(name, ['failed']),
      // Dead-lettered runs wait in their queue (no worker takes them) until pg-boss's retention ends.
      deadLettered: count(name + DEAD_SUFFIX, ['created', 'retry', 'active', 'failed']),
      lastError: (errors as Array<{ name: string; message: string | null }>).find((row) => row.name === name + DEAD_SUFFIX)?.message ?? null,
    }));
    return { backend: 'pg-boss', jobs };
  }

  async stop(): Promise<void> {
    for (const interval of this.intervals) clearInterval(interval);
    if (!this.started) return;
    this.started = false;
    // graceful: runs in progress finish (up to the timeout) before the pool closes.
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }
}
