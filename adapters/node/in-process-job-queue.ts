import type { JobCounts, JobDefinition, JobQueue, JobQueueStatus } from '../../ports/jobs.js';
import type { Logger } from '../../ports/runtime.js';

/** One job's state: at most one run at a time; triggers during a run ask for one more right after it. */
interface Slot {
  job: JobDefinition;
  running: Promise<void> | undefined;
  again: boolean;
  /** The retry waiting for its delay, and which retry it is (1 = first). */
  retry: { timer: NodeJS.Timeout; count: number } | undefined;
  interval: NodeJS.Timeout | undefined;
  failed: number;
  deadLettered: number;
  lastError: string | null;
}

/**
 * The job queue of a single server (SQLite: one process owns the database). Same contract as the shared
 * queue: periodic runs, merged triggers, retries with doubling delays, dead-lettering after the last retry.
 * Dead-lettered runs are only counted (the log has each error): they do not outlive the process.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  define(job: JobDefinition): void {
    this.slots.set(job.name, { job, running: undefined, again: false, retry: undefined, interval: undefined, failed: 0, deadLettered: 0, lastError: null });
  }

  start(): Promise<void> {
    for (const slot of this.slots.values()) {
      const { everySeconds } = slot.job;
      if (everySeconds === undefined) continue;
      slot.interval = setInterval(() => this.kick(slot, 0), everySeconds * 1000);
      slot.interval.unref();
      this.kick(slot, 0);
    }
    return Promise.resolve();
  }

  trigger(name: string): void {
    const slot = this.slots.get(name);
    if (slot) this.kick(slot, 0);
  }

  private kick(slot: Slot, retryCount: number): void {
    if (this.stopped) return;
    // A retry waiting for its delay covers the trigger: the work it would do is the same.
    if (slot.retry && retryCount === 0) return;
    if (slot.running) {
      slot.again = true;
      return;
    }
    slot.running = this.runOnce(slot, retryCount).finally(() => {
      slot.running = undefined;
      if (slot.again && !slot.retry) {
        slot.again = false;
        this.kick(slot, 0);
      }
    });
  }

  private async runOnce(slot: Slot, retryCount: number): Promise<void> {
    const { job } = slot;
    try {
      await job.run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (retryCount < job.retryLimit) {
        const count = retryCount + 1;
        const delayMs = job.retryDelaySeconds * 1000 * 2 ** retryCount;
        this.logger.warn({ err, job: job.name, retry: count, delayMs }, 'background job failed; retrying');
        const timer = setTimeout(() => {
          slot.retry = undefined;
          this.kick(slot, count);
        }, delayMs);
        timer.unref();
        slot.retry = { timer, count };
        return;
      }
      slot.failed += 1;
      slot.deadLettered += 1;
      slot.lastError = message;
      this.logger.error({ err, job: job.name, retries: retryCount }, 'background job failed every retry; dead-lettered');
    }
  }

  status(): Promise<JobQueueStatus> {
    const jobs: JobCounts[] = [...this.slots.values()].map((slot) => ({
      name: slot.job.name,
      queued: (slot.retry || slot.again ? 1 : 0),
      active: slot.running ? 1 : 0,
      failed: slot.failed,
      deadLettered: slot.deadLettered,
      lastError: slot.lastError,
    }));
    return Promise.resolve({ backend: 'in-process', jobs });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) {
      if (slot.interval) clearInterval(slot.interval);
      if (slot.retry) clearTimeout(slot.retry.timer);
      slot.retry = undefined;
    }
    await Promise.all([...this.slots.values()].map((slot) => slot.running));
  }
}
