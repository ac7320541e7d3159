/**
 * Background work (callback outbox, recovery sweeps, usage sweeps) as named jobs. A job carries no data:
 * each run looks at the database, which stays the source of truth, and does what is due. The queue
 * decides when a job runs and on which server: on PostgreSQL a shared queue (pg-boss) has each run done
 * by one server of many; on SQLite an in-process scheduler does the same for the one server.
 */

export interface JobDefinition {
  /** A fixed word with dots, e.g. `callbacks.deliver`. */
  name: string;
  /** Throws to fail the run: the queue retries it with back-off, then dead-letters it. */
  run(): Promise<void>;
  /** Runs once every this many seconds, by one server across all that define the job; unset: only when triggered. */
  everySeconds?: number;
  /** Retries after a failed run before the run is dead-lettered. */
  retryLimit: number;
  /** The first retry's delay; each next one doubles it. */
  retryDelaySeconds: number;
  /**
   * A run not finished after this long counts as failed (its server died or hangs) and is retried,
   * by any server: longer than the work can take.
   */
  expireInSeconds: number;
}

/** Counts of one job's runs by state; `deadLettered`: runs that failed every retry, kept for the operator. */
export interface JobCounts {
  name: string;
  /** Waiting to run, retries waiting for their delay included. */
  queued: number;
  active: number;
  /** Runs that failed for good (every retry spent), while the queue retains them. */
  failed: number;
  deadLettered: number;
  /** The error of the newest dead-lettered run, if any (an error message, never personal data). */
  lastError: string | null;
}

export interface JobQueueStatus {
  /** `pg-boss` or `in-process`. */
  backend: string;
  jobs: JobCounts[];
}

export interface JobQueue {
  /** Registers a job; every job is defined before `start`. */
  define(job: JobDefinition): void;
  /** Creates what the queue needs, starts the workers and the periodic schedules (each periodic job runs once at start). */
  start(): Promise<void>;
  /**
   * Asks for one run soon. Triggers that come while a run is waiting are merged into it, so a burst of
   * triggers costs a run or two, not one each. Never throws: a trigger that cannot be queued is logged,
   * and the periodic run catches up.
   */
  trigger(name: string): void;
  status(): Promise<JobQueueStatus>;
  /** Stops taking runs, waits for the runs in progress on this server. */
  stop(): Promise<void>;
}
