import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginContext } from '../../../ports/plugin.js';
import type { Logger } from '../../../ports/runtime.js';

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

/** A PluginContext for brain adapter tests: silent log, real clock, counter ids, no-op event sink, temp folders. */
export function brainTestContext(): PluginContext {
  let counter = 0;
  const dir = mkdtempSync(join(tmpdir(), 'brain-test-'));
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}_${(counter += 1)}` },
    publicBaseUrl: 'https://comms.example.com',
    configDir: dir,
    dataDir: dir,
    events: { messageStatus: () => {}, callStatus: () => {}, emailReceived: () => {} },
  };
}
