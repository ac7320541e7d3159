import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAudio } from '../twilio/audio-file-check.js';
import { deferred, type Deferred } from '../twilio/deferred.js';
import { loopbackGet } from '../twilio/loopback-get.js';
import type { SimulatedVonageSocket } from './simulated-vonage-socket.js';
import type { RunningRecord } from './vonage-recordings.js';
import { msisdn } from './vonage-webhook-bodies.js';

/** How the person called reacts; the status Vonage then reports. */
export type VonageCallee = 'answer' | 'busy' | 'unanswered' | 'failed';

/** Voice API call statuses the simulator reports. */
export type VonageCallStatus = 'started' | 'ringing' | 'answered' | 'completed' | 'busy' | 'unanswered' | 'failed' | 'cancelled' | 'human' | 'machine';

/** Who answers a call placed with advanced machine detection: a person, or a machine whose greeting ends in a beep. */
export type DetectedAnswer = 'human' | 'machine';

/** A call the Voice API placed. Numbers are digits. */
export interface SimulatedVonageCall {
  uuid: string;
  conversationUuid: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  /** The NCCO it runs once answered, as received. */
  ncco: unknown[];
  eventUrl: string | null;
  status: VonageCallStatus;
  /** The audio URLs the callee heard, in order, once per time played. */
  played: string[];
  /** What happened on the answered call, in order: `machine`/`human` (detection), `beep`, `play <url>`, `talk <text>`, `record`, `socket`. */
  timeline: string[];
  /** The record action running on the call (until it ends), if any. */
  record: RunningRecord | null;
  /** Settled when the call is transferred to a new NCCO through the API (`PUT … action: transfer`). */
  transferred: Deferred<void>;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  durationSeconds: number | null;
  /** The request body as received. */
  body: Record<string, unknown>;
  /** Settled when the call is hung up through the API. */
  hangUp: Deferred<void>;
}

/** A stream the simulated callee could not play (the file was missing or not the audio it claimed to be). */
export interface VonagePlaybackProblem {
  uuid: string;
  url: string;
  reason: string;
}

export interface CalleeEnvironment {
  /** Real milliseconds per simulated second of call time. */
  msPerCallSecond: number;
  /** Pause before each early status change (ringing, answered), in real milliseconds. */
  stepDelayMs: number;
  /** How long a file the callee cannot measure plays, in simulated seconds. */
  defaultAudioSeconds: number;
  fetchTimeoutMs: number;
  now(): Date;
  /** Still the simulator's current run (a reset or stop abandons the calls of earlier runs). */
  current(): boolean;
  report(call: SimulatedVonageCall, status: VonageCallStatus, subState?: string): Promise<void>;
  playbackProblem(problem: VonagePlaybackProblem): void;
  /** Opens the WebSocket leg of a `connect` action (the simulated caller on it); resolves once it ended. */
  connectSocket(call: SimulatedVonageCall, endpoint: Record<string, unknown>): Promise<SimulatedVonageSocket>;
  /** Posts a `notify` action's webhook (signed); the NCCO answered, or null when none came. */
  notify(call: SimulatedVonageCall, url: string, payload: unknown): Promise<unknown[] | null>;
}

const MAX_AUDIO_BYTES = 20 * 1024 * 1024;
/** A `loop` of 0 plays for ever: the callee listens this many times before hanging up. */
const ENDLESS_LOOP = 10_000;

export function newCall(body: Record<string, unknown>, now: Date): SimulatedVonageCall {
  const to = (body.to as Array<{ number?: unknown }>)[0]?.number;
  const from = (body.from as { number?: unknown } | undefined)?.number;
  const eventUrl = Array.isArray(body.event_url) && typeof body.event_url[0] === 'string' ? body.event_url[0] : null;
  return {
    uuid: randomUUID(),
    conversationUuid: `CON-${randomUUID()}`,
    direction: 'outbound',
    from: msisdn(String(from ?? '')),
    to: msisdn(String(to ?? '')),
    ncco: Array.isArray(body.ncco) ? body.ncco : [],
    eventUrl,
    status: 'started',
    played: [],
    timeline: [],
    record: null,
    transferred: deferred<void>(),
    startedAt: now,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    body,
    hangUp: deferred<void>(),
  };
}

/** Waits `ms`, or less when the call is hung up first; true if it was. */
async function hungUpWithin(call: SimulatedVonageCall, ms: number): Promise<boolean> {
  const hungUp = await Promise.race([sleep(ms).then(() => false), call.hangUp.promise.then(() => true)]);
  return hungUp || call.hangUp.settled;
}

async function audioSeconds(env: CalleeEnvironment, call: SimulatedVonageCall, url: string): Promise<number | null> {
  try {
    const answer = await loopbackGet(url, { 'user-agent': 'Vonage-Voice-Simulator' }, env.fetchTimeoutMs, MAX_AUDIO_BYTES);
    if (answer.status !== 200) {
      env.playbackProblem({ uuid: call.uuid, url, reason: `HTTP ${answer.status}` });
      return null;
    }
    const check = checkAudio(answer.headers['content-type'], answer.body, env.defaultAudioSeconds);
    if (!check.ok) {
      env.playbackProblem({ uuid: call.uuid, url, reason: check.reason });
      return null;
    }
    return check.seconds;
  } catch (err) {
    env.playbackProblem({ uuid: call.uuid, url, reason: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

type NccoStep = { action?: unknown; streamUrl?: unknown; loop?: unknown; endpoint?: unknown; eventUrl?: unknown; payload?: unknown; endOnSilence?: unknown; endOnKey?: unknown; timeOut?: unknown };

/**
 * Runs the NCCO's actions in order: `stream` plays, `connect` to a `websocket` holds the socket leg until it closes
 * (a caller hanging up ends the call there), `notify` posts its webhook and an NCCO answered replaces the rest,
 * `record` without a stop condition records beside the next actions until the call ends.
 * Returns when the NCCO runs out or the call is hung up.
 */
export async function runNcco(env: CalleeEnvironment, call: SimulatedVonageCall): Promise<void> {
  let actions = [...(call.ncco as NccoStep[])];
  while (actions.length > 0) {
    const action = actions.shift()!;
    if (call.hangUp.settled || !env.current()) return;
    if (action.action === 'conversation') {
      // Held (detection listening) until the API transfers the call to a new NCCO, or hangs it up.
      await Promise.race([call.transferred.promise, call.hangUp.promise]);
      if (call.hangUp.settled) return;
      actions = [...(call.ncco as NccoStep[])];
      continue;
    }
    if (action.action === 'talk' && typeof (action as { text?: unknown }).text === 'string') {
      call.timeline.push(`talk ${(action as { text: string }).text}`);
      if (await hungUpWithin(call, env.msPerCallSecond)) return;
      continue;
    }
    if (action.action === 'record' && Array.isArray(action.eventUrl)) {
      // Only the whole-call form is simulated: a stop condition would make it a voicemail-style recording.
      if (action.endOnSilence !== undefined || action.endOnKey !== undefined || action.timeOut !== undefined) continue;
      call.timeline.push('record');
      call.record ??= { eventUrl: String(action.eventUrl[0]), startedAt: env.now() };
      continue;
    }
    if (action.action === 'connect' && Array.isArray(action.endpoint)) {
      const endpoint = action.endpoint[0] as Record<string, unknown> | undefined;
      if (endpoint?.type !== 'websocket') continue;
      call.timeline.push('socket');
      const leg = await env.connectSocket(call, endpoint);
      if (leg.end?.by !== 'agent') return;
      continue;
    }
    if (action.action === 'notify' && Array.isArray(action.eventUrl)) {
      const next = await env.notify(call, String(action.eventUrl[0]), action.payload);
      if (next) actions = [...(next as NccoStep[])];
      continue;
    }
    if (action.action !== 'stream' || !Array.isArray(action.streamUrl)) continue;
    const url = String(action.streamUrl[0]);
    const seconds = await audioSeconds(env, call, url);
    if (seconds === null) continue;
    const loop = typeof action.loop === 'number' && action.loop > 0 ? action.loop : action.loop === 0 ? ENDLESS_LOOP : 1;
    for (let i = 0; i < loop; i++) {
      if (call.hangUp.settled || !env.current()) return;
      call.played.push(url);
      call.timeline.push(`play ${url}`);
      if (await hungUpWithin(call, Math.max(1, seconds * env.msPerCallSecond))) return;
    }
  }
}

/** The far side of one placed call: started, ringing, then the callee's answer, the NCCO played, and the end. */
export async function progressCall(env: CalleeEnvironment, call: SimulatedVonageCall, callee: VonageCallee, detected: DetectedAnswer = 'human'): Promise<void> {
  const advance = async (status: VonageCallStatus) => {
    call.status = status;
    await env.report(call, status);
  };
  await advance('started');
  if (await hungUpWithin(call, env.stepDelayMs)) return end(env, call, 'cancelled', advance);
  await advance('ringing');
  if (await hungUpWithin(call, env.stepDelayMs) || !env.current()) return end(env, call, 'cancelled', advance);
  if (callee !== 'answer') return end(env, call, callee, advance);
  call.answeredAt = env.now();
  await advance('answered');
  if (call.body.advanced_machine_detection) await detect(env, call, detected);
  await runNcco(env, call);
  return end(env, call, 'completed', advance);
}

/** Advanced machine detection (`detect_beep`): `human`; or `machine`, the greeting, then `machine` again at its beep. */
async function detect(env: CalleeEnvironment, call: SimulatedVonageCall, detected: DetectedAnswer): Promise<void> {
  call.timeline.push(detected);
  await env.report(call, detected);
  if (detected !== 'machine') return;
  if (await hungUpWithin(call, 2 * env.msPerCallSecond)) return;
  call.timeline.push('beep');
  await env.report(call, 'machine', 'beep_start');
}

async function end(env: CalleeEnvironment, call: SimulatedVonageCall, status: VonageCallStatus, advance: (status: VonageCallStatus) => Promise<void>): Promise<void> {
  if (!env.current()) return;
  call.endedAt = env.now();
  const talked = call.answeredAt ? (call.endedAt.getTime() - call.answeredAt.getTime()) / env.msPerCallSecond : 0;
  call.durationSeconds = call.answeredAt ? Math.max(1, Math.ceil(talked)) : 0;
  await advance(status);
}
