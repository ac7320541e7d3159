import { CALLBACK_BATCH_SIZE, deliverDueCallbacks } from '../../core/callbacks/deliver-callbacks.js';
import type { CorePorts } from '../../core/context.js';
import { recoverStuckSends } from '../../core/recovery/recover-stuck-sends.js';
import { refillNumberPool } from '../../core/provisioning/refill-pool.js';
import { resolveExpiredHolds, SWEEP_BATCH } from '../../core/usage/settle-usage.js';
import { InProcessJobQueue } from '../../adapters/node/in-process-job-queue.js';
import type { JobDefinition, JobQueue } from '../../ports/jobs.js';
import type { Logger } from '../../ports/runtime.js';
import type { AppConfig } from '../config/app-config.js';

/** The background jobs, by name (the names operators see in comms_get_job_status and in the queue's tables). */
export const JOBS = {
  callbacks: 'callbacks.deliver',
  stuckSends: 'recovery.stuck-sends',
  usage: 'usage.sweep',
  numberPool: 'provisioning.pool-refill',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Counters are kept a month past their window (refusal counts feed the dashboard); then they go. */
const COUNTER_RETENTION_MS = 32 * 86_400_000;

/**
 * What runs in the background. Each run reads what is due from the database (the source of truth) and
 * throws when it cannot, so the queue retries it. Callback deliveries keep their own per-delivery
 * attempts and back-off in the outbox rows; the job is the sweep that sends what is due.
 */
export function backgroundJobs(ports: () => CorePorts, config: Pick<AppConfig, 'callbacks' | 'recovery' | 'usage' | 'jobs' | 'provisioning'>): JobDefinition[] {
  const retries = { retryLimit: config.jobs.retryLimit, retryDelaySeconds: config.jobs.retryDelaySeconds, expireInSeconds: config.jobs.expireInSeconds };
  const jobs: JobDefinition[] = [
    {
      name: JOBS.callbacks,
      everySeconds: config.callbacks.pollIntervalMs / 1000,
      ...retries,
      // Keep going while full batches come back: a burst of inbound events is flushed in one run.
      run: async () => {
        while ((await deliverDueCallbacks(ports())) === CALLBACK_BATCH_SIZE);
      },
    },
    {
      name: JOBS.stuckSends,
      everySeconds: config.recovery.intervalSeconds,
      ...retries,
      run: async () => {
        const p = ports();
        const stuckBefore = new Date(p.clock.now().getTime() - config.recovery.stuckAfterSeconds * 1000);
        const report = await recoverStuckSends(p, stuckBefore);
        if (report.calls > 0 || Object.keys(report.messages).length > 0) p.logger.warn({ ...report }, 'settled sends left unanswered by a stopped server');
      },
    },
    {
      name: JOBS.numberPool,
      // Settles half-done buys and releases of runs that died, and keeps the spare pool full.
      everySeconds: Math.min(300, config.provisioning.settleAfterSeconds),
      ...retries,
      run: async () => {
        const p = ports();
        const report = await refillNumberPool(p);
        if (report.settled + report.released + report.bought > 0) p.logger.info({ ...report }, 'number pool refilled and half-done numbers settled');
      },
    },
  ];
  if (config.usage.enabled) {
    jobs.push({
      name: JOBS.usage,
      // Expired reservations (a send no price report settled, or one a crash interrupted) are resolved within a hold's length.
      everySeconds: Math.min(60, config.usage.holdSeconds),
      ...retries,
      run: async () => {
        const p = ports();
        while ((await resolveExpiredHolds(p)) >= SWEEP_BATCH);
        await p.db.usage.pruneCounters(new Date(p.clock.now().getTime() - COUNTER_RETENTION_MS));
      },
    });
  }
  return jobs;
}

/** pg-boss's schema: the configured one, else beside the database's own schema (test runs and tenants never share a queue). */
export function jobsSchema(config: Pick<AppConfig, 'db' | 'jobs'>): string {
  if (config.jobs.schema) return config.jobs.schema;
  const dbSchema = (config.db.options as { schema?: unknown }).schema;
  return typeof dbSchema === 'string' ? `${dbSchema}_jobs` : 'pgboss';
}

/**
 * The queue for the database in use: pg-boss on PostgreSQL, loaded only then (start-up time and idle memory
 * of a SQLite server stay as they were), the in-process scheduler on SQLite.
 */
export async function openJobQueue(dialect: 'sqlite' | 'postgresql', config: Pick<AppConfig, 'db' | 'jobs'>, logger: Logger): Promise<JobQueue> {
  if (dialect === 'sqlite') return new InProcessJobQueue(logger);
  const { PgBossJobQueue } = await import('../../adapters/pg-boss/pg-boss-job-queue.js');
  return new PgBossJobQueue(
    {
      url: String((config.db.options as { url?: unknown }).url),
      schema: jobsSchema(config),
      pollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
      maintenanceIntervalSeconds: config.jobs.maintenanceIntervalSeconds,
    },
    logger,
  );
}
