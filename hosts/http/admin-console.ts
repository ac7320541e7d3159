import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import type Router from '@koa/router';
import { DomainError } from '../../ports/errors.js';
import { consoleContentSecurityPolicy } from './hardening/content-security-policy.js';

/**
 * Where `npm run build` puts the console (Vite, see console/vite.config.ts): beside the compiled server in
 * dist/, or under dist/ of the checkout when the server runs from sources.
 */
const BUILT_DIRS = ['../../admin-console/', '../../dist/admin-console/'];

/** The console's routes; the pages are one app that reads its page from the path, the API explorer its own. */
const PAGES: Record<string, string> = {
  '/admin': 'index.html',
  '/admin/dashboard': 'index.html',
  '/admin/agents': 'index.html',
  '/admin/scenarios': 'index.html',
  '/admin/setup': 'index.html',
  '/admin/api-docs': 'api-docs.html',
};

/** Vite names assets by content hash: a name is never reused for other content, so they are cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ASSET_NAME = /^[A-Za-z0-9_.-]+\.(js|css|svg|png|woff2)$/;

function notBuilt(): DomainError {
  return new DomainError('NOT_FOUND', 'The admin console is not built.', 'Run `npm run build` (it builds the console into dist/admin-console).');
}

/**
 * Serves the built admin console under /admin: static files, read on first request and kept (nothing of the
 * front end is loaded at start-up), with the console's CSP. The console itself holds no data: it calls the
 * REST API with the token the operator pastes.
 */
export function registerAdminConsole(router: Router): void {
  let dir: string | null | undefined;
  const files = new Map<string, Buffer>();
  const read = async (name: string): Promise<Buffer> => {
    dir ??= BUILT_DIRS.map((d) => fileURLToPath(new URL(d, import.meta.url))).find((d) => existsSync(join(d, 'index.html'))) ?? null;
    if (dir === null) throw notBuilt();
    const cached = files.get(name);
    if (cached) return cached;
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (!bytes) throw new DomainError('NOT_FOUND', `No console file ${name}.`, 'Reload the console: it may have been updated.', { file: name });
    files.set(name, bytes);
    return bytes;
  };
  const send = (ctx: Koa.Context, name: string, body: Buffer, cacheControl: string) => {
    ctx.set('content-security-policy', consoleContentSecurityPolicy());
    ctx.set('cache-control', cacheControl);
    ctx.type = extname(name);
    ctx.body = body;
  };

  for (const [path, page] of Object.entries(PAGES)) {
    // HTML is checked on every load, so a new build's asset names are picked up at once.
    router.get(path, async (ctx) => send(ctx, page, await read(page), 'no-cache'));
  }
  router.get('/admin/assets/:file', async (ctx) => {
    const file = String(ctx.params.file);
    if (!ASSET_NAME.test(file)) throw new DomainError('NOT_FOUND', `No console file ${file}.`, 'Reload the console.', { file });
    send(ctx, file, await read(`assets/${file}`), IMMUTABLE);
  });
}
