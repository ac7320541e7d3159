/** A PluginContext for database plugin tests: silent logger, real clock, counter ids, temp folders. */
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

export function databaseTestContext(dir: string): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}_${String(++counter).padStart(6, '0')}` },
    publicBaseUrl: 'http://127.0.0.1:0',
    configDir: dir,
    dataDir: dir,
    events: { smsStatus: () => undefined },
  };
}
