import { buildApp } from '../../composition/build-app.js';
import { startServer } from '../../http/serve.js';
import { startBanner } from '../banner.js';
import type { CliValues } from '../cli-options.js';
import { announce, SERVE_READY_EVENT, STARTED_EVENT } from '../loader-events.js';
import { loadCliConfig } from './load.js';

export async function serve(values: CliValues): Promise<number> {
  const app = await buildApp(loadCliConfig(values), { migrate: true });
  // A server that cannot listen (port taken …) must not keep the process alive with its database open.
  const running = await startServer(app).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  console.log(startBanner(running.url, app));
  // For the built CLI's loader (scripts/build/server-loader.mjs): a start is complete, its code cache can be
  // written, then the young generation released (in that order: V8 takes a cache only under the same flags).
  announce(SERVE_READY_EVENT);
  announce(STARTED_EVENT);
  const shutdown = (): void => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return new Promise<number>(() => undefined);
}
