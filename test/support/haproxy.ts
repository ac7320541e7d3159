import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './plugin-context.js';

/** HAProxy from the system's packages (Debian: `apt-get install haproxy`); null when it is not installed. */
export const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((path) => spawnSync(path, ['-v']).status === 0) ?? null;

/** A port nothing listens on now, for a listener that must be known before it starts (a load balancer's). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LoadBalancer {
  url: string;
  /** HAProxy's process id (a bench reads the balancer's own CPU time from /proc). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * A real HAProxy in front of `backends` (base URLs): round robin, no stickiness, health-checked on
 * /health/ready. A request whose connection fails or which gets no answer (a backend killed mid-request)
 * is retried on another backend, as production balancers are set up; the server must make that safe.
 * So is a 503: shedding answers it before doing anything.
 */
export async function startHaproxy(port: number, backends: readonly string[]): Promise<LoadBalancer> {
  if (!HAPROXY) throw new Error('haproxy is not installed');
  const dir = tempDir('agentos-haproxy-');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  retries 3',
    '  option redispatch 1',
    // 503 is the server's SERVER_OVERLOADED, answered before any work: safe to try on another instance.
    '  retry-on conn-failure empty-response response-timeout 503',
    '  option http-buffer-request',
    'frontend comms',
    `  bind 127.0.0.1:${port}`,
    // Which backend answered (s1, s2 …): lets a test prove that a session's requests were spread.
    '  http-response set-header X-Served-By %s',
    '  default_backend servers',
    'backend servers',
    '  balance roundrobin',
    '  option httpchk GET /health/ready',
    '  http-check expect status 200',
    '  timeout check 5s',
    '  default-server inter 1s fall 3 rise 1',
    ...backends.map((url, i) => `  server s${i + 1} ${new URL(url).host} check`),
    '',
  ].join('\n'));
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${errors}`);
    const ready = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not answer: ${errors}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
