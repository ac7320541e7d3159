/**
 * One server of the job queue kill test: joins the pg-boss queue (JOBS_PG_URL, JOBS_PG_SCHEMA), defines the
 * job `kill.test` whose run never ends, triggers it, and prints `started` once this process runs it: the
 * test then kills it with SIGKILL, leaving the run active with nobody to finish it.
 */
import { PgBossJobQueue } from '../../adapters/pg-boss/pg-boss-job-queue.js';
import { JOB_TEST_SETTINGS, silentLogger } from './job-queue-settings.js';

const queue = new PgBossJobQueue({ url: process.env.JOBS_PG_URL!, schema: process.env.JOBS_PG_SCHEMA!, ...JOB_TEST_SETTINGS }, silentLogger);
queue.define({
  name: 'kill.test',
  retryLimit: 2,
  retryDelaySeconds: 1,
  expireInSeconds: 2,
  run: () => {
    process.stdout.write('started\n');
    return new Promise<void>(() => undefined);
  },
});
await queue.start();
queue.trigger('kill.test');
