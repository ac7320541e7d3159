/**
 * What a hostile webhook costs (run on demand: `npm run bench:hostile`). Builds the server, starts it in its
 * own process (SQLite + demo provider), then sends BENCH_HOSTILE_ROUNDS (default 5) bursts of eight
 * unauthenticated 9 MB forms with a million fields each to an agent's SMS webhook, at full speed, while
 * polling /health. Reports how long each refusal took (request start → answer) and /health's latency.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchAgent, startBenchServer } from './bench-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_HOSTILE_ROUNDS ?? 5);
const FORM = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => `f${i}=xxx`).join('&'));

function refusal(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': 'forged' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end(FORM);
  });
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const server = await startBenchServer(mkdtempSync(join(tmpdir(), 'agentos-bench-hostile-')), REPO);
  try {
    const agent = await createBenchAgent(server.url, '+15550100096');
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const refusals: number[] = [];
    const health: number[] = [];
    const statuses = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      let done = false;
      const poll = (async () => {
        while (!done) {
          const started = performance.now();
          await (await fetch(`${server.url}/health`)).text();
          health.push(performance.now() - started);
        }
      })();
      const burst = await Promise.all(Array.from({ length: 8 }, () => refusal(url)));
      done = true;
      await poll;
      for (const r of burst) {
        refusals.push(r.ms);
        statuses.add(r.status);
      }
    }
    console.log(`\n${ROUNDS} bursts of eight 9 MB forms (1,000,000 fields each) to /webhooks/{agent}/sms, SQLite + demo provider\n`);
    console.log('| measure | p50 ms | p99 ms | max ms |');
    console.log('|---|---|---|---|');
    console.log(`| refusal (request start → answer, ${refusals.length} requests, status ${[...statuses].join('/')}) | ${percentile(refusals, 50)} | ${percentile(refusals, 99)} | ${percentile(refusals, 100)} |`);
    console.log(`| /health during the bursts (${health.length} requests) | ${percentile(health, 50)} | ${percentile(health, 99)} | ${percentile(health, 100)} |`);
  } finally {
    await server.stop();
  }
}

await main();
