import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startCliServer } from './cli.js';
import { tempDir } from './plugin-context.js';
import { ADMIN_TOKEN } from './test-server.js';

/** A real server process (`serve` from sources), to be restarted, run twice, or killed like a crashing host. */
export interface ServerProcess {
  url: string;
  /** What the process printed so far (logs are JSON lines). */
  output(): string;
  /** SIGKILL: no shutdown work at all, as a crash or an OOM kill. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, the orderly stop. */
  stop(): Promise<void>;
}

/** One config file that every process of a test starts from (same database, same data folder). */
export function serverProcessConfig(settings: Record<string, unknown>): string {
  const dir = tempDir('agentos-process-');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify({
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'warn' },
    auth: { adminToken: ADMIN_TOKEN },
    db: { use: 'sqlite', options: { path: join(dir, 'comms.sqlite') } },
    ...Object.fromEntries(['email', 'whatsapp', 'tts', 'storage', 'brain'].map((section) => [section, { enabled: false }])),
    compliance: { quietHours: { enabled: false } },
    ...settings,
  }));
  return file;
}

export async function startServerProcess(configFile: string): Promise<ServerProcess> {
  const { child, url, output } = await startCliServer(['--config', configFile], {});
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    url,
    output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** POST/GET on the REST API with a bearer token; the JSON answer and its status. */
export async function restCall<T = Record<string, unknown>>(url: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function createAgentOver(url: string, input: { name: string; phone: string }): Promise<{ agentId: string; token: string }> {
  const created = await restCall<{ agentId: string; token: string }>(url, ADMIN_TOKEN, 'POST', '/agents', input);
  if (created.status !== 201) throw new Error(`agent create failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}
