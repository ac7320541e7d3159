/**
 * Server CPU per comms_send_message of two (or more) builds, interleaved: the issue 13 send row (c=32, limits off,
 * demo provider) on a fresh server of each build in turn, then the reverse order, BENCH_ROUNDS... times, so that the
 * load of a shared machine falls on all alike. CPU is the server process's own, read from /proc, which other load
 * disturbs far less than sends/s. A build is a checkout with `dist/` built (`npm run build`, or tsc, the config
 * validator and scripts/build/bundle-server.mjs), e.g. `git archive <commit> | tar -x -C DIR` with node_modules linked.
 *
 *   npx tsx test/bench/send-cpu-compare.ts ROUNDS SENDS DIR_A DIR_B …   (BENCH_DB=postgresql and
 *   COMMS_TEST_POSTGRES_URL for PostgreSQL; BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=…" profiles each server)
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MCP_PROTOCOL, createBenchAgent, openMcpSession, startBenchServer } from './bench-server.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const [rounds = '2', sends = '3000', ...builds] = process.argv.slice(2);
const SENDS = Number(sends);
if (builds.length === 0) throw new Error('usage: send-cpu-compare.ts ROUNDS SENDS DIR_A [DIR_B …]');
const LIMITS_OFF = {
  usage: { enabled: false },
  security: { rateLimits: Object.fromEntries(['global', 'mcp', 'api', 'webhooks', 'admin'].map((g) => [g, { requests: 0 }])), lockout: { enabled: false }, loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0 },
};
const schemas = process.env.BENCH_DB === 'postgresql' ? await postgresSchemas(POSTGRES_URL!) : null;

async function cpuPerSend(build: string): Promise<{ cpu: number; rate: number; failed: number }> {
  const db = schemas ? { db: { use: 'postgresql', options: { url: POSTGRES_URL, schema: schemas.fresh(), poolMax: 16 } } } : {};
  const server = await startBenchServer(mkdtempSync(join(tmpdir(), 'agentos-compare-')), build, { ...LIMITS_OFF, ...db });
  try {
    const agent = await createBenchAgent(server.url, '+15550100099');
    const sessionId = await openMcpSession(server.url, agent.token);
    const bodies = Array.from({ length: SENDS }, (_, i) => JSON.stringify({
      jsonrpc: '2.0', id: i + 1, method: 'tools/call',
      params: { name: 'comms_send_message', arguments: { channel: 'sms', to: `+1555010${String(i % 10000).padStart(4, '0')}`, body: `bench ${i}` } },
    }));
    let next = 0;
    let failed = 0;
    const before = server.cpuSeconds();
    const result = await new Promise<autocannon.Result>((resolve, reject) => autocannon({
      url: `${server.url}/mcp`, method: 'POST', amount: SENDS, connections: 32,
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': MCP_PROTOCOL },
      requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % SENDS] }), onResponse: (status, body) => { if (status !== 200 || body.includes('"isError":true')) failed++; } }],
    }, (err, res) => (err ? reject(err) : resolve(res))));
    return { cpu: ((server.cpuSeconds() - before) * 1000) / SENDS, rate: Math.round(result['2xx'] / (result.duration || 1)), failed: failed + result.errors };
  } finally {
    await server.stop();
  }
}

const seen = new Map<string, number[]>();
try {
  for (let round = 0; round < Number(rounds); round++) {
    for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
      const { cpu, rate, failed } = await cpuPerSend(build);
      seen.set(build, [...(seen.get(build) ?? []), cpu]);
      console.log(`${build}: ${cpu.toFixed(3)} ms server CPU per send, ${rate} sends/s, ${failed} failed; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
  }
} finally {
  await schemas?.close();
}
for (const [build, cpus] of seen) {
  const sorted = [...cpus].sort((a, b) => a - b);
  console.log(`${build}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} ms, mean ${(cpus.reduce((s, c) => s + c, 0) / cpus.length).toFixed(3)} ms (${cpus.map((c) => c.toFixed(3)).join(', ')})`);
}
