import { requireOperator } from '../auth/tenancy.js';
import { defineUseCase } from '../use-case.js';
import type { JobCounts } from '../../ports/jobs.js';

export interface JobStatusView {
  backend: string;
  jobs: JobCounts[];
  callbackOutbox: { pending: number; oldestPendingAgeSeconds: number; dead: number };
}

const count = { type: 'integer', minimum: 0 } as const;
/** Errors of our own work (a database error, say), cut short: enough to tell one failure from another. */
const ERROR_CHARS = 300;

export const getJobStatus = defineUseCase<Record<string, never>, JobStatusView>({
  name: 'comms_get_job_status',
  title: 'Background job status',
  description:
    'Admin only. The background work: per job (callback outbox delivery, recovery of stuck sends, usage sweep) how many runs are ' +
    'queued, active, failed and dead-lettered (failed every retry), with the newest dead-lettered error; and the callback ' +
    'outbox: deliveries pending, the age of the oldest, and deliveries given up (dead). backend is pg-boss on PostgreSQL ' +
    '(counts across every server), in-process on SQLite.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['backend', 'jobs', 'callbackOutbox'],
    properties: {
      backend: { type: 'string' },
      jobs: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'queued', 'active', 'failed', 'deadLettered', 'lastError'],
          properties: { name: { type: 'string' }, queued: count, active: count, failed: count, deadLettered: count, lastError: { type: ['string', 'null'] } },
        },
      },
      callbackOutbox: {
        type: 'object',
        additionalProperties: false,
        required: ['pending', 'oldestPendingAgeSeconds', 'dead'],
        properties: { pending: count, oldestPendingAgeSeconds: { type: 'number', minimum: 0 }, dead: count },
      },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'audit',
  rest: { method: 'GET', path: '/jobs' },
  async run(ctx) {
    requireOperator(ctx, 'comms_get_job_status');
    const { jobs, db, clock } = ctx.ports;
    const [status, backlog, dead] = await Promise.all([jobs.status(), db.callbacks.backlog(), db.callbacks.countDead()]);
    const oldest = backlog.oldestCreatedAt ? Math.max(0, (clock.now().getTime() - backlog.oldestCreatedAt.getTime()) / 1000) : 0;
    return {
      backend: status.backend,
      jobs: status.jobs.map((job) => ({ ...job, lastError: job.lastError === null ? null : job.lastError.slice(0, ERROR_CHARS) })),
      callbackOutbox: { pending: backlog.pending, oldestPendingAgeSeconds: oldest, dead },
    };
  },
});
