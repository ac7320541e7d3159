/**
 * Media-stream voice path under load (run on demand: `npm run bench:voice`, after the ConversationRelay
 * bench). Starts the built server in its own process on the demo providers with the media-stream transport
 * (mock recogniser, zero-delay mock brain, mock voice), and has N concurrent callers speak over Twilio-style
 * Media Streams in real time: 20 ms μ-law frames of a tone burst as speech, silence between, marks echoed.
 * Reports:
 * - server overhead from the recogniser's final result to the first outbound frame (brain + TTS + send stages
 *   of each answered turn, as the server stored them; the demo adapters take no time of their own),
 * - pacing of outbound frames at the caller: |interval − 20 ms| between consecutive frames of each sentence
 *   (stalls included), measured in the load generator's process (its own delays count against the server),
 * - CPU of the server process per live call.
 * Options (env): BENCH_CALLS (default 100), BENCH_TURNS per call (default 8), BENCH_GAP_MS (default 400).
 */
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeMulaw, MULAW_SILENCE } from '../../adapters/audio/mulaw.js';
import type { TurnLatency } from '../../ports/records.js';
import { BENCH_ADMIN_TOKEN, createBenchAgent, startBenchServer } from './bench-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const TURNS = Number(process.env.BENCH_TURNS ?? 8);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 400);
const SECRET = 'demo-secret';
const FRAME_MS = 20;
const SPEECH_FRAMES = 30;
const sign = (url: string, body: string): string => createHmac('sha256', SECRET).update(url + body).digest('hex');

/** 20 ms of a loud 440 Hz tone: what the demo recogniser takes for speech. */
const TONE = encodeMulaw(Int16Array.from({ length: 160 }, (_, n) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * n) / 8000))));
const SILENCE = new Uint8Array(160).fill(MULAW_SILENCE);

async function answerCall(baseUrl: string, agentId: string, i: number): Promise<{ url: string; callSid: string }> {
  const url = `${baseUrl}/webhooks/${agentId}/voice`;
  const callSid = `CAmedia${i}`;
  const body = new URLSearchParams({ CallSid: callSid, From: `+1555010${String(i % 10000).padStart(4, '0')}`, To: '+15550100097', CallStatus: 'ringing', Direction: 'inbound' }).toString();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': sign(url, body) }, body });
  const twiml = await res.text();
  const stream = /<Stream url="([^"]+)"/.exec(twiml)?.[1];
  if (!stream) throw new Error(`no <Stream> in answer ${res.status}: ${twiml}`);
  return { url: stream.replace(/&amp;/g, '&'), callSid };
}

/** One caller: speaks, waits for the whole reply (marks echoed as the audio arrives), pauses, speaks again. */
function runCall(target: { url: string; callSid: string }, jitter: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.url, { headers: { 'x-mock-signature': sign(target.url, '') }, perMessageDeflate: false });
    const streamSid = `MZ${target.callSid}`;
    let turn = 0;
    let speechLeft = 0;
    let lastFrameAt = 0;
    /** The previous frame of the sentence being played (0 after a mark: a new sentence starts a new run). */
    let previousInSentence = 0;
    let replyHeard = false;
    let quietSince = performance.now();
    let nextSpeechAt = Infinity;
    let sent = 0;
    let clock = 0;
    const tick = (): void => {
      if (ws.readyState !== ws.OPEN) return;
      const now = performance.now();
      const due = Math.floor((now - clock) / FRAME_MS) + 1;
      for (; sent < due; sent += 1) {
        const frame = speechLeft > 0 ? TONE : SILENCE;
        if (speechLeft > 0) speechLeft -= 1;
        ws.send(JSON.stringify({ event: 'media', streamSid, media: { track: 'inbound', chunk: String(sent), timestamp: String(sent * FRAME_MS), payload: Buffer.from(frame).toString('base64') } }));
      }
      // A reply is over once its audio stopped for 200 ms; then the caller pauses and speaks again.
      if (replyHeard && now - lastFrameAt > 200 && nextSpeechAt === Infinity) {
        replyHeard = false;
        if (turn >= TURNS) return void ws.close();
        nextSpeechAt = now + Math.random() * 2 * GAP_MS;
      }
      if (!replyHeard && now >= nextSpeechAt) {
        nextSpeechAt = Infinity;
        speechLeft = SPEECH_FRAMES;
        turn += 1;
        quietSince = now;
      }
      if (now - quietSince > 15_000) return void ws.close(1000, 'no reply');
      setTimeout(tick, Math.max(0, clock + sent * FRAME_MS - performance.now()));
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      ws.send(JSON.stringify({ event: 'start', streamSid, start: { streamSid, callSid: target.callSid, tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
      clock = performance.now();
      tick();
    });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { event: string; mark?: { name: string } };
      const now = performance.now();
      if (m.event === 'media') {
        // Every gap inside a sentence counts, stalls included.
        if (previousInSentence > 0) jitter.push(Math.abs(now - previousInSentence - FRAME_MS));
        previousInSentence = now;
        replyHeard = true;
        lastFrameAt = now;
        quietSince = now;
        // More of the reply after a pause: the caller waits for its end again before speaking.
        if (speechLeft === 0) nextSpeechAt = Infinity;
      } else if (m.event === 'mark') {
        previousInSentence = 0;
        ws.send(JSON.stringify({ event: 'mark', streamSid, mark: m.mark }));
      }
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
}

/** CPU seconds the process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'agentos-media-bench-'));
  const server = await startBenchServer(dir, REPO, {
    brain: { use: 'mock', options: { replies: ['Noted, thank you.'] } },
    stt: { use: 'mock', options: { endpointingMs: 200 } },
    tts: { use: 'mock' },
    voice: { transport: 'media-stream', greeting: 'Hi.' },
  });
  try {
    const agent = await createBenchAgent(server.url, '+15550100097');
    const targets = await Promise.all(Array.from({ length: CALLS }, (_, i) => answerCall(server.url, agent.agentId, i)));
    const jitter: number[] = [];
    const cpuBefore = cpuSeconds(server.child.pid!);
    const started = performance.now();
    await Promise.all(targets.map((target) => runCall(target, jitter)));
    const wall = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(server.child.pid!) - cpuBefore;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts: TurnCounts = { caller: 0, agent: 0, interrupted: 0, unmeasured: 0 };
    const overhead = await overheads(server.url, agent.agentId, counts);
    jitter.sort((a, b) => a - b);
    console.log(`\nmedia streams: ${CALLS} concurrent calls, ${TURNS} spoken turns each, demo recogniser, zero-delay demo brain and voice\n`);
    console.log('| measure | n | p50 | p99 | max |');
    console.log('|---|---|---|---|---|');
    console.log(`| STT final → first outbound frame (server, ms) | ${overhead.length} | ${percentile(overhead, 50)} | ${percentile(overhead, 99)} | ${overhead.at(-1)} |`);
    console.log(`| outbound frame pacing jitter (caller, ms) | ${jitter.length} | ${percentile(jitter, 50).toFixed(2)} | ${percentile(jitter, 99).toFixed(2)} | ${jitter.at(-1)?.toFixed(2)} |`);
    console.log(`\nserver CPU: ${cpu.toFixed(1)} s over ${wall.toFixed(1)} s = ${((cpu / wall / CALLS) * 100).toFixed(2)} % of one core per live call`);
    if (overhead.length < CALLS * TURNS * 0.95) {
      console.log(`MISMATCH: ${overhead.length} answered turns measured, expected about ${CALLS * TURNS} (stored: ${JSON.stringify(counts)})`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

await main();
