import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../adapters/node/pino-logger.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';

export function tempDir(prefix = 'agentos-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A PluginContext for building adapters directly in tests; pushed events are recorded. */
export function testPluginContext(overrides: Partial<PluginContext> = {}): PluginContext & { pushed: unknown[] } {
  const pushed: unknown[] = [];
  const events: ProviderEventSink = {
    messageStatus: (e) => pushed.push({ kind: 'messageStatus', ...e }),
    callStatus: (e) => pushed.push({ kind: 'callStatus', ...e }),
    emailReceived: (e) => { pushed.push({ kind: 'emailReceived', ...e }); },
  };
  const dir = tempDir();
  return {
    logger: silentLogger(),
    clock: new SystemClock(),
    ids: new TimeSortableIds(),
    publicBaseUrl: 'http://127.0.0.1:9',
    configDir: dir,
    dataDir: dir,
    events,
    pushed,
    ...overrides,
  };
}
