/**
 * Voice turn latency (run on demand: `npm run bench:voice`). Starts the built server in its own process
 * with the demo provider and a zero-delay demo brain, opens N concurrent calls (incoming-call webhook →
 * ConversationRelay socket, signed as the demo provider signs), and has every caller speak a turn at
 * random intervals. Measured at the caller, over loopback: prompt sent → first token received, which
 * bounds the server's own share from above.
 * Options (env): BENCH_CALLS (default 200), BENCH_TURNS per call (default 20), BENCH_GAP_MS mean pause
 * between a caller's turns (default 1000).
 */
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createBenchAgent, startBenchServer } from './bench-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const TURNS = Number(process.env.BENCH_TURNS ?? 20);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 1000);
const SECRET = 'demo-secret';
const sign = (url: string, body: string): string => createHmac('sha256', SECRET).update(url + body).digest('hex');

async function answerCall(baseUrl: string, agentId: string, i: number): Promise<string> {
  const url = `${baseUrl}/webhooks/${agentId}/voice`;
  const body = new URLSearchParams({ CallSid: `CAbench${i}`, From: `+1555010${String(i % 10000).padStart(4, '0')}`, To: '+15550100098', CallStatus: 'ringing', Direction: 'inbound' }).toString();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': sign(url, body) }, body });
  const twiml = await res.text();
  const relay = /url="([^"]+)"/.exec(twiml)?.[1];
  if (!relay) throw new Error(`no relay url in answer ${res.status}: ${twiml}`);
  return relay.replace(/&amp;/g, '&');
}

function runCall(relayUrl: string, i: number, latencies: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(relayUrl, { headers: { 'x-mock-signature': sign(relayUrl, '') } });
    let turn = 0;
    let sentAt = 0;
    let waitingFirst = false;
    const speak = (): void => {
      sentAt = performance.now();
      waitingFirst = true;
      ws.send(JSON.stringify({ type: 'prompt', voicePrompt: `caller ${i} turn ${turn}`, lang: 'en-US', last: true }));
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'setup', callSid: `CAbench${i}`, customParameters: {} }));
      setTimeout(speak, Math.random() * GAP_MS);
    });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; last?: boolean };
      if (m.type !== 'text') return;
      if (waitingFirst) {
        latencies.push(performance.now() - sentAt);
        waitingFirst = false;
      }
      if (m.last) {
        turn++;
        if (turn >= TURNS) ws.close();
        else setTimeout(speak, Math.random() * 2 * GAP_MS);
      }
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'agentos-voice-bench-'));
  const server = await startBenchServer(dir, REPO, { brain: { use: 'mock', options: { replies: ['Thanks, I have noted that. Is there anything else I can do for you today?'] } } });
  try {
    const agent = await createBenchAgent(server.url, '+15550100098');
    const relays = await Promise.all(Array.from({ length: CALLS }, (_, i) => answerCall(server.url, agent.agentId, i)));
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(relays.map((url, i) => runCall(url, i, latencies)));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(`\n${CALLS} concurrent calls, ${TURNS} turns each, mean gap ${GAP_MS} ms, zero-delay demo brain\n`);
    console.log('| turns | turns/s | p50 ms | p99 ms | max ms |');
    console.log('|---|---|---|---|---|');
    console.log(`| ${latencies.length} | ${Math.round(latencies.length / seconds)} | ${percentile(latencies, 50).toFixed(2)} | ${percentile(latencies, 99).toFixed(2)} | ${latencies.at(-1)!.toFixed(2)} |`);
    if (latencies.length !== CALLS * TURNS) {
      console.log(`MISMATCH: expected ${CALLS * TURNS} turns`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

await main();
