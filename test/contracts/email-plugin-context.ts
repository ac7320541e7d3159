import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundEmail } from '../../ports/email.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

/** A PluginContext for the email contract tests: silent, real time, counter ids, and a sink that records pushed mail. */
export interface EmailTestContext {
  ctx: PluginContext;
  /** Mail the adapter pushed through `events.emailReceived`, oldest first. */
  pushedEmails: InboundEmail[];
  /** Removes the temporary config/data folder. */
  dispose(): void;
}

export function emailTestContext(): EmailTestContext {
  const pushedEmails: InboundEmail[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'email-contract-'));
  let counter = 0;
  const events: ProviderEventSink = {
    messageStatus: () => {},
    callStatus: () => {},
    emailReceived: (email) => { pushedEmails.push(email); },
  };
  return {
    ctx: {
      logger: silentLogger,
      clock: { now: () => new Date() },
      ids: { next: (prefix) => `${prefix}_${(counter += 1).toString().padStart(6, '0')}` },
      publicBaseUrl: 'https://comms.example.com',
      configDir: dir,
      dataDir: dir,
      events,
    },
    pushedEmails,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
