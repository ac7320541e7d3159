/**
 * The metrics' own cost per send, on a shared machine (run on demand: `npx tsx test/bench/metrics-interleaved.ts`,
 * after `npm run build`). Four servers run at once on SQLite with per-IP limits on and usage limits off:
 * `off` and `off-again` (metrics off: two alike, so the spread between them is the noise of the run), `on` (metrics
 * token set, `/metrics` scraped every second while it sends) and `on-unscraped` (metrics on, never scraped). Sends
 * go to them in turn, a batch each, in alternating order, so that the other load on the machine falls on all of
 * them alike; what is compared is each server process's own CPU per send (from /proc).
 * Options (env): METRICS_BENCH_BATCH (sends per batch, default 300), METRICS_BENCH_ROUNDS (default 8),
 * METRICS_BENCH_CONNECTIONS (concurrent sends, default 16).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MCP_PROTOCOL, createBenchAgent, openMcpSession, startBenchServer, type BenchServer } from './bench-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';
const BATCH = Number(process.env.METRICS_BENCH_BATCH ?? 300);
const ROUNDS = Number(process.env.METRICS_BENCH_ROUNDS ?? 8);
const CONNECTIONS = Number(process.env.METRICS_BENCH_CONNECTIONS ?? 16);
const GENEROUS = 1_000_000_000;
/** As the limits bench's ip configuration: per-IP limits far from reached, no shedding, usage limits off. */
const IP_LIMITS = {
  usage: { enabled: false },
  security: { rateLimits: Object.fromEntries(['global', 'mcp', 'api', 'webhooks', 'admin'].map((g) => [g, { requests: GENEROUS }])), loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0 },
};
const VARIANTS = [
  { name: 'off', config: IP_LIMITS, scrape: false },
  { name: 'off-again', config: IP_LIMITS, scrape: false },
  { name: 'on', config: { ...IP_LIMITS, metrics: { token: METRICS_TOKEN } }, scrape: true },
  { name: 'on-unscraped', config: { ...IP_LIMITS, metrics: { token: METRICS_TOKEN } }, scrape: false },
];

interface Running { name: string; scrape: boolean; server: BenchServer; headers: Record<string, string>; cpuSeconds: number; sends: number }

let nextId = 0;

async function sendBatch(s: Running): Promise<void> {
  let left = BATCH;
  const scraper = s.scrape
    ? setInterval(() => {
      fetch(`${s.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
        .then(async (res) => {
          await res.text();
          if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
        })
        .catch((err: unknown) => console.error(err));
    }, 1000)
    : undefined;
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) {
        const i = nextId++;
        const res = await fetch(`${s.server.url}/mcp`, {
          method: 'POST',
          headers: s.headers,
          body: JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: 'comms_send_message', arguments: { channel: 'sms', to: `+1555010${String(i % 10000).padStart(4, '0')}`, body: `bench ${i}` } } }),
        });
        const text = await res.text();
        if (res.status !== 200 || text.includes('"isError":true')) throw new Error(`send failed: ${res.status} ${text.slice(0, 200)}`);
      }
    }));
  } finally {
    clearInterval(scraper);
  }
}

async function main(): Promise<void> {
  const running: Running[] = [];
  try {
    for (const v of VARIANTS) {
      const server = await startBenchServer(mkdtempSync(join(tmpdir(), 'agentos-metrics-bench-')), REPO, v.config);
      running.push({ name: v.name, scrape: v.scrape, server, headers: {}, cpuSeconds: 0, sends: 0 });
      const agent = await createBenchAgent(server.url, '+15550100099');
      const sessionId = await openMcpSession(server.url, agent.token);
      running.at(-1)!.headers = { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': MCP_PROTOCOL };
    }
    // One unmeasured batch each first: start-up work and the JIT's warm-up are not per-send costs.
    for (const s of running) await sendBatch(s);
    const loadBefore = loadavg()[0]!;
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? running : [...running].reverse()) {
        const before = s.server.cpuSeconds();
        await sendBatch(s);
        s.cpuSeconds += s.server.cpuSeconds() - before;
        s.sends += BATCH;
      }
    }
    const perSend = (s: Running) => (s.cpuSeconds * 1000) / s.sends;
    const off = (perSend(running[0]!) + perSend(running[1]!)) / 2;
    console.log(`${ROUNDS} rounds of ${BATCH} sends per server, ${CONNECTIONS} concurrent; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
    for (const s of running) console.log(`${s.name.padEnd(13)} ${perSend(s).toFixed(3)} ms server CPU per send (${(((perSend(s) - off) / off) * 100).toFixed(1)} % against the mean of off and off-again)`);
  } finally {
    for (const s of running) await s.server.stop();
  }
}

await main();
