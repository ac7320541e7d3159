import type { Logger } from '../../ports/runtime.js';

/** Short intervals, so expiry and retries show within seconds. */
export const JOB_TEST_SETTINGS = { pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 };

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
