import { buildApp } from '../../composition/build-app.js';
import { startServer } from '../../http/serve.js';
import { startBanner } from '../banner.js';
import type { CliValues } from '../cli-options.js';
import { loadCliConfig } from './load.js';

/** Emitted on `process` once the server answers. */
export const SERVE_READY_EVENT = 'agentos-comms:ready';

export async function serve(values: CliValues): Promise<number> {
  const app = await buildApp(loadCliConfig(values), { migrate: true });
  // A server that cannot listen (port taken …) must not keep the process alive with its database open.
  const running = await startServer(app).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  console.log(startBanner(running.url, app));
  // For the built CLI's loader (scripts/build/server-loader.mjs): a start is complete, its code cache can be written.
  (process as NodeJS.EventEmitter).emit(SERVE_READY_EVENT);
  const shutdown = (): void => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return new Promise<number>(() => undefined);
}
