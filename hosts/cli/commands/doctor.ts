import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canCheckCredentials } from '../../../ports/credential-check.js';
import { isDomainError } from '../../../ports/errors.js';
import { OPTIONAL_SECTIONS, type LoadedConfig } from '../../config/app-config.js';
import { buildApp, type App } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import { printResult, table } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

type Status = 'ok' | 'warn' | 'fail' | 'skip';
interface Check { check: string; status: Status; detail: string }

const LOOPBACK = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/;
const DEMO_ADAPTERS = new Set(['mock', 'local']);
const problem = (err: unknown): string => (isDomainError(err) ? `${err.code}: ${err.message}` : (err as Error).message);

function dataFolder(loaded: LoadedConfig): Check {
  const dir = loaded.config.dataDir;
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.doctor-${randomUUID()}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
    return { check: 'data folder', status: 'ok', detail: `${dir} is writable` };
  } catch (err) {
    return { check: 'data folder', status: 'fail', detail: `${dir}: ${(err as Error).message}` };
  }
}

async function database(app: App): Promise<Check> {
  try {
    await app.ports.db.ping();
    return { check: 'database', status: 'ok', detail: `${app.ports.db.location ?? app.loaded.config.db.use} answers` };
  } catch (err) {
    return { check: 'database', status: 'fail', detail: problem(err) };
  }
}

/** Providers must reach publicBaseUrl: a loopback address only works in demo mode; a public one must answer /health. */
async function publicUrl(loaded: LoadedConfig): Promise<Check> {
  const { config } = loaded;
  const url = config.publicBaseUrl;
  const real = OPTIONAL_SECTIONS.filter((s) => config[s] && !DEMO_ADAPTERS.has(config[s]!.use));
  if (!url || LOOPBACK.test(url)) {
    return real.length === 0
      ? { check: 'public URL', status: 'skip', detail: 'demo mode: no provider needs to reach this server' }
      : { check: 'public URL', status: 'warn', detail: `${url ?? 'not set'}: ${real.join(', ')} cannot reach webhooks. Set PUBLIC_BASE_URL to a tunnel or your domain (see docs/SETUP.md).` };
  }
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    return res.ok
      ? { check: 'public URL', status: 'ok', detail: `${url}/health answers ${res.status}` }
      : { check: 'public URL', status: 'fail', detail: `${url}/health answers ${res.status}: is it this server?` };
  } catch (err) {
    return { check: 'public URL', status: 'fail', detail: `${url}/health: ${(err as Error).message} (is the server running, the tunnel up?)` };
  }
}

/** Each configured adapter's credentials, where the adapter can check them without sending anything billable. */
async function providers(app: App): Promise<Check[]> {
  const checks: Check[] = [];
  for (const section of OPTIONAL_SECTIONS) {
    const adapter = app.ports[section];
    if (!adapter) continue;
    const check = `${section} (${adapter.id})`;
    if (DEMO_ADAPTERS.has(adapter.id)) {
      checks.push({ check, status: 'skip', detail: 'demo or local adapter: no credentials' });
    } else if (!canCheckCredentials(adapter.port)) {
      checks.push({ check, status: 'skip', detail: 'this adapter cannot check its credentials without sending' });
    } else {
      try {
        checks.push({ check, status: 'ok', detail: `credentials accepted: ${await adapter.port.checkCredentials()}` });
      } catch (err) {
        checks.push({ check, status: 'fail', detail: problem(err) });
      }
    }
  }
  return checks;
}

/** `doctor`: what stands between this config and a working server, each check with its verdict. Exit 1 on any failure. */
export async function doctor(values: CliValues): Promise<number> {
  const checks: Check[] = [];
  let loaded: LoadedConfig;
  try {
    loaded = loadCliConfig(values);
  } catch (err) {
    checks.push({ check: 'config', status: 'fail', detail: problem(err) });
    return report(values, checks);
  }
  checks.push({ check: 'config', status: 'ok', detail: `valid (${loaded.files.join(', ')})` });
  checks.push(...loaded.warnings.map((w) => ({ check: 'config', status: 'warn' as const, detail: w })));
  checks.push(dataFolder(loaded));
  let app: App;
  try {
    app = await buildApp(loaded, OPERATOR);
  } catch (err) {
    checks.push({ check: 'adapters', status: 'fail', detail: problem(err) });
    return report(values, checks);
  }
  try {
    checks.push(await database(app), await publicUrl(loaded), ...(await providers(app)));
  } finally {
    await app.close();
  }
  return report(values, checks);
}

function report(values: CliValues, checks: Check[]): number {
  const failed = checks.some((c) => c.status === 'fail');
  printResult(values.json, { ok: !failed, checks }, () =>
    `${table(checks.map((c) => [`${c.status.toUpperCase().padEnd(4)} ${c.check}`, c.detail]), 28)}\n\n${failed ? 'Some checks failed.' : 'Ready.'}`);
  return failed ? 1 : 0;
}
