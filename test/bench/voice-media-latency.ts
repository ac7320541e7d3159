/**
 * Media-stream voice path under load (run on demand: `npm run bench:voice`, after the ConversationRelay
 * bench). Starts the built server in its own process with the media-stream transport (mock recogniser,
 * zero-delay mock brain, mock voice), once on the demo provider (Twilio Media Streams: 20 ms μ-law frames in
 * JSON) and once on Vonage (the adapter on a local Vonage simulator; WebSocket legs of binary 16 kHz L16), and
 * has N concurrent callers speak in real time: a tone burst as speech, silence between, marks echoed.
 * Reports, per provider:
 * - server overhead from the recogniser's final result to the first outbound frame (brain + TTS + send stages
 *   of each answered turn, as the server stored them; the demo adapters take no time of their own),
 * - pacing of outbound frames at the caller: |interval − 20 ms| between consecutive frames of each sentence
 *   (stalls included), measured in the load generator's process (its own delays count against the server),
 * - CPU of the server process per live call;
 * and, before and after, the same pacing measure of a baseline process (`pacing-baseline-server.ts`: a bare
 * `setInterval` per call, then the server's own `PacedAudio` with nothing else to do) so that the machine's load,
 * the pacing code and the rest of the server's work can be told apart.
 * Options (env): BENCH_CALLS (default 100), BENCH_TURNS per call (default 8), BENCH_GAP_MS (default 400),
 * BENCH_MEDIA (`twilio,vonage`: which providers).
 */
import { createHmac } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TurnLatency } from '../../ports/records.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';
import { createBenchAgent, startBenchServer, BENCH_ADMIN_TOKEN, type BenchServer } from './bench-server.js';
import { runCaller, twilioWire, vonageWire, type CallerWire } from './media-callers.js';

const REPO = join(import.meta.dirname, '..', '..');
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const TURNS = Number(process.env.BENCH_TURNS ?? 8);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 400);
const PROVIDERS = (process.env.BENCH_MEDIA ?? 'twilio,vonage').split(',');
const SECRET = 'demo-secret';
const AGENT_PHONE = '+15550100097';
const sign = (url: string, body: string): string => createHmac('sha256', SECRET).update(url + body).digest('hex');
const caller = (i: number): string => `+1555010${String(i % 10000).padStart(4, '0')}`;

/** POSTs a webhook; a server shedding load at start-up (503, event-loop delay on a busy machine) is asked again. */
async function post(url: string, init: { headers: Record<string, string>; body: string }): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'POST', ...init });
    if (res.status !== 503 || attempt === 20) return res;
    await res.text();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Target { url: string; wire: CallerWire; headers?: Record<string, string> }

/** The demo provider's incoming-call webhook (Twilio's form, the demo signature): its `<Stream>`. */
async function twilioCall(baseUrl: string, agentId: string, i: number): Promise<Target> {
  const url = `${baseUrl}/webhooks/${agentId}/voice`;
  const callSid = `CAmedia${i}`;
  const body = new URLSearchParams({ CallSid: callSid, From: caller(i), To: AGENT_PHONE, CallStatus: 'ringing', Direction: 'inbound' }).toString();
  const res = await post(url, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': sign(url, body) }, body });
  const twiml = await res.text();
  const stream = /<Stream url="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
  if (!stream) throw new Error(`no <Stream> in answer ${res.status}: ${twiml}`);
  return { url: stream, wire: twilioWire(callSid), headers: { 'x-mock-signature': sign(stream, '') } };
}

/** Vonage's answer webhook (signed JWT, from the simulator): the NCCO's WebSocket endpoint. */
async function vonageCall(vonage: VonageTelephonySimulator, baseUrl: string, agentId: string, i: number): Promise<Target> {
  const url = `${baseUrl}/webhooks/${agentId}/voice`;
  // Signed afresh for each attempt: a JWT's payload is bound to one body, and every answer webhook is a new call.
  const res = await post(url, (() => { const w = vonage.buildIncomingCall({ url, from: caller(i), to: AGENT_PHONE }); return { headers: w.headers, body: w.rawBody }; })());
  const ncco = (await res.json()) as Array<{ action: string; endpoint?: Array<{ type: string; uri: string; headers: Record<string, string> }> }>;
  const endpoint = ncco.find((action) => action.action === 'connect')?.endpoint?.[0];
  if (endpoint?.type !== 'websocket') throw new Error(`no websocket endpoint in answer ${res.status}: ${JSON.stringify(ncco)}`);
  return { url: endpoint.uri, wire: vonageWire(endpoint.headers) };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface TurnCounts { caller: number; agent: number; interrupted: number; unmeasured: number }

async function overheads(baseUrl: string, agentId: string, counts: TurnCounts): Promise<number[]> {
  const values: number[] = [];
  let cursor: string | undefined;
  do {
    const list = (await (await fetch(`${baseUrl}/api/v1/calls?agentId=${agentId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } })).json()) as { calls: Array<{ callId: string }>; nextCursor: string | null };
    for (const { callId } of list.calls) {
      const view = (await (await fetch(`${baseUrl}/api/v1/calls/${callId}`, { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } })).json()) as { transcript: Array<{ speaker: string; interrupted: boolean; latency: TurnLatency | null }> };
      for (const { speaker, interrupted, latency } of view.transcript) {
        if (speaker === 'caller') counts.caller += 1;
        else counts.agent += 1;
        if (interrupted) counts.interrupted += 1;
        if (!latency || latency.sttMs === null || latency.brainMs === null || latency.ttsMs === null || latency.sendMs === null) {
          if (speaker === 'agent') counts.unmeasured += 1;
          continue;
        }
        values.push(latency.brainMs + latency.ttsMs + latency.sendMs);
      }
    }
    cursor = list.nextCursor ?? undefined;
  } while (cursor);
  return values.sort((a, b) => a - b);
}

const MEDIA_CONFIG = {
  brain: { use: 'mock', options: { replies: ['Noted, thank you.'] } },
  stt: { use: 'mock', options: { endpointingMs: 200 } },
  tts: { use: 'mock' },
  voice: { transport: 'media-stream', greeting: 'Hi.' },
};

interface Pacing { label: string; jitter: number[] }

/** 100 callers at once against `targets`; the jitter they measured, and the wall time. */
async function callAll(targets: Target[]): Promise<{ jitter: number[]; wall: number }> {
  const jitter: number[] = [];
  const started = performance.now();
  await Promise.all(targets.map((t) => runCaller(t.url, t.wire, { turns: TURNS, gapMs: GAP_MS, jitter, headers: t.headers })));
  return { jitter: jitter.sort((a, b) => a - b), wall: (performance.now() - started) / 1000 };
}

/** The baseline process (`interval`: a bare setInterval per call; `paced`: the server's PacedAudio alone), called by as many callers as the server. */
async function baseline(mode: 'interval' | 'paced', when: string): Promise<Pacing> {
  const label = `baseline ${when}: ${mode === 'interval' ? 'bare setInterval' : 'PacedAudio alone'} per call, Vonage wire (caller, ms)`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'pacing-baseline-server.ts')], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const match = /listening (\d+)/.exec(d.toString());
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
    });
    const { jitter } = await callAll(Array.from({ length: CALLS }, () => ({ url: `ws://127.0.0.1:${port}/${mode}`, wire: vonageWire({}) })));
    return { label, jitter };
  } finally {
    child.kill('SIGTERM');
  }
}

async function provider(name: string, rows: string[], pacing: Pacing[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `agentos-media-bench-${name}-`));
  const vonage = name === 'vonage' ? new VonageTelephonySimulator({ numbers: [AGENT_PHONE] }) : null;
  await vonage?.start();
  const telephony = vonage ? {
    telephony: {
      use: 'vonage',
      options: {
        apiKey: vonage.apiKey, apiSecret: vonage.apiSecret, signatureSecret: vonage.signatureSecret, applicationId: vonage.applicationId,
        privateKey: vonage.privateKey, restHost: vonage.baseUrl, apiHost: vonage.baseUrl,
      },
    },
  } : {};
  let server: BenchServer | null = null;
  try {
    server = await startBenchServer(dir, REPO, { ...MEDIA_CONFIG, ...telephony });
    const agent = await createBenchAgent(server.url, AGENT_PHONE);
    const targets = await Promise.all(Array.from({ length: CALLS }, (_, i) => (vonage ? vonageCall(vonage, server!.url, agent.agentId, i) : twilioCall(server!.url, agent.agentId, i))));
    const cpuBefore = server.cpuSeconds();
    const { jitter, wall } = await callAll(targets);
    const cpu = server.cpuSeconds() - cpuBefore;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts: TurnCounts = { caller: 0, agent: 0, interrupted: 0, unmeasured: 0 };
    const overhead = await overheads(server.url, agent.agentId, counts);
    const wireName = vonage ? 'Vonage WebSocket, 16 kHz L16' : 'Twilio Media Streams, 8 kHz μ-law';
    rows.push(`| ${wireName}: STT final → first outbound frame (server, ms) | ${overhead.length} | ${percentile(overhead, 50)} | ${percentile(overhead, 99)} | ${overhead.at(-1)} |`);
    pacing.push({ label: `${wireName}: outbound frame pacing jitter (caller, ms)`, jitter });
    rows.push(`| ${wireName}: server CPU per live call | ${cpu.toFixed(1)} s over ${wall.toFixed(1)} s | ${((cpu / wall / CALLS) * 100).toFixed(2)} % of one core | | |`);
    if (overhead.length < CALLS * TURNS * 0.95) {
      console.log(`MISMATCH (${name}): ${overhead.length} answered turns measured, expected about ${CALLS * TURNS} (stored: ${JSON.stringify(counts)})`);
      process.exitCode = 1;
    }
  } finally {
    await server?.stop();
    await vonage?.stop();
  }
}

const pacingRow = ({ label, jitter }: Pacing): string => `| ${label} | ${jitter.length} | ${percentile(jitter, 50).toFixed(2)} | ${percentile(jitter, 99).toFixed(2)} | ${jitter.at(-1)?.toFixed(2)} |`;

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const rows: string[] = [];
  // Baselines before and after (in reverse order), so that drift in the machine's load falls on all alike.
  const pacing: Pacing[] = [await baseline('interval', 'before'), await baseline('paced', 'before')];
  for (const name of PROVIDERS) await provider(name, rows, pacing);
  pacing.push(await baseline('paced', 'after'), await baseline('interval', 'after'));
  console.log(`\nmedia streams: ${CALLS} concurrent calls, ${TURNS} spoken turns each, demo recogniser, zero-delay demo brain and voice\n`);
  console.log('| measure | n | p50 | p99 | max |');
  console.log('|---|---|---|---|---|');
  for (const row of [...rows, ...pacing.map(pacingRow)]) console.log(row);
}

await main();
