import { setTimeout as sleep } from 'node:timers/promises';
import type { CallChange } from './calls-api.js';
import { DOCUMENT_PARSE_FAILURE, type CalleeFetcher } from './callee-fetcher.js';
import { voiceRequestForm, type CallStatusEvent } from './call-webhook-forms.js';
import { runConnect, type ConnectEnvironment } from './connect-verb.js';
import { callPrice, type SimulatedCall } from './twilio-call-resource.js';
import { parseVoiceTwiml, TwimlParseError, type ConnectVerb, type VoiceVerb } from './twiml-voice-document.js';
import type { SignatureMode } from './twilio-webhook-signing.js';

/** How the person called reacts. */
export type CalleeBehaviour = 'answer' | 'no-answer' | 'busy' | 'fail';

/** A <Play> Twilio could not play: the callee hears "an application error has occurred" and Twilio hangs up. */
export interface PlaybackProblem {
  callSid: string;
  url: string;
  /** 11100 invalid URL, 11200 retrieval failure or content not matching its type, 13420 not an audio type. */
  errorCode: number;
  reason: string;
}

/** A problem with the instructions themselves (fetching or parsing the TwiML), or a verb the simulator does not play. */
export interface TwimlProblem {
  callSid: string;
  url: string | null;
  /** 11200, 12100, 12300 as Twilio logs them; null for a verb Twilio runs but the simulator skips. */
  errorCode: number | null;
  reason: string;
}

export interface CalleeEnvironment {
  fetcher: CalleeFetcher;
  startConversation: ConnectEnvironment['startConversation'];
  startMediaStream: ConnectEnvironment['startMediaStream'];
  /** How the requests for the call's TwiML are signed (an incoming call's voice webhook may be forged in tests). */
  voiceSignature: SignatureMode;
  /** Real milliseconds per simulated second of call time (ringing, audio, pauses). */
  msPerCallSecond: number;
  /** Pause before each early status change (initiated, ringing), in real milliseconds. */
  stepDelayMs: number;
  /** Simulated seconds the phone rings before the callee picks up (or is busy, or fails). */
  ringSeconds: number;
  now(): Date;
  advance(call: SimulatedCall, status: string): void;
  sendStatus(call: SimulatedCall, event: CallStatusEvent): Promise<void>;
  /** Who answers a call placed with MachineDetection (AnsweredBy), and how long a machine's greeting lasts. */
  machineAnswer(call: SimulatedCall): { answeredBy: string; greetingSeconds: number };
  playbackProblem(problem: PlaybackProblem): void;
  twimlProblem(problem: TwimlProblem): void;
}

/** What Twilio says before hanging up on a TwiML or <Play> failure: "An application error has occurred. Goodbye." */
const APPLICATION_ERROR_SECONDS = 3;
/** Basic TTS speaks about 15 characters a second. */
const SAY_CHARACTERS_PER_SECOND = 15;
/** How long a person reached by `<Dial>` talks before hanging up, in simulated seconds. */
const DIALED_CALL_SECONDS = 5;

type Instructions = { twiml: string | null; url: string | null; method: 'GET' | 'POST' };
type Interruption = { kind: 'hang-up' } | { kind: 'cancel' } | { kind: 'abandon' } | ({ kind: 'new-instructions' } & Instructions);

/**
 * The far side of one call: it rings, is answered (or not), runs the TwiML, downloads and plays every <Play> file,
 * holds `<Connect><ConversationRelay>` conversations (in real time) and `<Dial>`s, and reports each step to
 * StatusCallback. An incoming call skips the ringing: its TwiML is asked for while it rings, and answers it. Time is
 * simulated: `msPerCallSecond` real ms per second.
 *
 * Failures follow Twilio: when a <Play> file cannot be fetched (11200), is not audio (13420), or its bytes do not
 * match its Content-Type (11200), or the TwiML cannot be fetched or parsed (11200/12300/12100), Twilio logs the
 * error in its Debugger, the callee hears "An application error has occurred", and Twilio hangs up. The call was
 * answered, so it ends `completed` (with the seconds heard), not `failed`; the error is in `playbackProblems`/
 * `twimlProblems`, as it would be only in Twilio's Debugger, never in the status callbacks.
 */
export class SimulatedCallee {
  private controller = new AbortController();
  private interruption: Interruption | null = null;
  private sequenceNumber = 0;
  private connectedSeconds = 0;
  private instructions: Instructions;

  constructor(
    private readonly call: SimulatedCall,
    private readonly behaviour: CalleeBehaviour,
    private readonly env: CalleeEnvironment,
  ) {
    this.instructions = { twiml: call.twiml, url: call.url, method: call.method };
  }

  /** Applies an accepted REST update to the live call. */
  change(change: CallChange): void {
    if (change.kind === 'none') return;
    if (change.kind === 'new-instructions' && this.call.status !== 'in-progress') {
      // Not answered yet: the new instructions are the ones that will run on answer.
      this.instructions = { twiml: change.twiml, url: change.url, method: change.method };
      return;
    }
    this.interrupt(change);
  }

  /** Stops quietly (simulator reset or stop): no more status changes or callbacks. */
  abandon(): void {
    this.interrupt({ kind: 'abandon' });
  }

  async run(): Promise<void> {
    if (this.call.direction === 'inbound') return this.runIncoming();
    if (!(await this.step(this.env.stepDelayMs))) return this.endUnanswered('canceled');
    if (!(await this.report('initiated'))) return;
    if (this.behaviour === 'busy' || this.behaviour === 'fail') {
      if (!(await this.step(this.env.stepDelayMs))) return this.endUnanswered('canceled');
      return this.endUnanswered(this.behaviour === 'busy' ? 'busy' : 'failed');
    }
    if (!(await this.step(this.env.stepDelayMs))) return this.endUnanswered('canceled');
    this.env.advance(this.call, 'ringing');
    if (!(await this.report('ringing'))) return;
    await this.hold(this.behaviour === 'no-answer' ? this.call.timeoutSeconds : Math.min(this.env.ringSeconds, this.call.timeoutSeconds));
    if (this.pending()) return this.endUnanswered('canceled');
    if (this.behaviour === 'no-answer') return this.endUnanswered('no-answer');

    this.call.startTime = this.env.now();
    this.env.advance(this.call, 'in-progress');
    if (!(await this.report('in-progress'))) return;
    await this.converse();
    await this.complete();
  }

  /**
   * A call that came in to one of the account's numbers: the number's voice URL is asked for TwiML while the call
   * is still ringing, and the call is answered when that TwiML starts to run.
   */
  private async runIncoming(): Promise<void> {
    this.call.startTime = this.env.now();
    await this.converse();
    await this.complete();
  }

  private async complete(): Promise<void> {
    if (this.pending()?.kind === 'abandon') return;
    // Whole seconds, rounded up as Twilio bills; the epsilon keeps 2.0000001 s of summed floats at 2.
    const duration = Math.ceil(this.connectedSeconds - 1e-6);
    this.call.durationSeconds = duration;
    this.call.price = callPrice(duration);
    await this.finish('completed', duration);
  }

  /** An incoming call is answered once its TwiML runs; an outbound one already was. */
  private async answer(): Promise<boolean> {
    if (this.call.status !== 'ringing') return true;
    this.env.advance(this.call, 'in-progress');
    return this.report('in-progress');
  }

  /** Runs the instructions until they end, fail, or the call is hung up; a redirect starts the new ones. */
  private async converse(): Promise<void> {
    for (;;) {
      const pending = this.pending();
      if (pending?.kind === 'new-instructions') {
        this.instructions = pending;
        this.interruption = null;
        this.controller = new AbortController();
      } else if (pending) {
        return;
      }
      const verbs = await this.loadInstructions();
      if (verbs && !(await this.answer())) return;
      const outcome = verbs ? await this.perform(verbs) : 'failed';
      if (this.pending()?.kind === 'new-instructions') continue;
      if (!this.pending() && outcome === 'failed') this.connectedSeconds += APPLICATION_ERROR_SECONDS;
      return;
    }
  }

  private async loadInstructions(): Promise<VoiceVerb[] | null> {
    const { twiml, url, method } = this.instructions;
    let source = twiml;
    if (source === null && url !== null) {
      const form = await this.detectMachine();
      const fetched = await this.env.fetcher.twiml(this.call, url, method, this.env.voiceSignature, form);
      if (!fetched.ok) {
        this.env.twimlProblem({ callSid: this.call.sid, url, errorCode: fetched.errorCode, reason: fetched.reason });
        return null;
      }
      source = fetched.twiml;
    }
    try {
      return parseVoiceTwiml(source ?? '<Response/>');
    } catch (err) {
      const reason = err instanceof TwimlParseError ? err.message : String(err);
      this.env.twimlProblem({ callSid: this.call.sid, url, errorCode: DOCUMENT_PARSE_FAILURE, reason });
      return null;
    }
  }

  /**
   * `MachineDetection=DetectMessageEnd` on an outbound call: Twilio listens first and asks for the instructions
   * only once it knows (a machine: after its greeting and beep), with AnsweredBy in the request.
   */
  private async detectMachine(): Promise<Record<string, string> | undefined> {
    if (!this.call.machineDetection || this.call.direction !== 'outbound-api' || this.call.answeredBy !== null) return undefined;
    const { answeredBy, greetingSeconds } = this.env.machineAnswer(this.call);
    const listened = answeredBy.startsWith('machine_end') ? greetingSeconds : 1;
    this.connectedSeconds += await this.hold(listened);
    this.call.answeredBy = answeredBy;
    this.call.detectedAfterSeconds = this.connectedSeconds;
    return { ...voiceRequestForm(this.call), AnsweredBy: answeredBy, MachineDetectionDuration: String(Math.round(listened * 1000)) };
  }

  private async perform(verbs: VoiceVerb[]): Promise<'done' | 'failed' | 'interrupted'> {
    for (const verb of verbs) {
      if (this.pending()) return 'interrupted';
      switch (verb.verb) {
        case 'Play': {
          const fetched = await this.env.fetcher.audio(verb.url);
          if (this.pending()) return 'interrupted';
          if (!fetched.ok) {
            this.env.playbackProblem({ callSid: this.call.sid, url: verb.url, errorCode: fetched.errorCode, reason: fetched.reason });
            return 'failed';
          }
          const played = { url: verb.url, contentType: fetched.contentType, bytes: fetched.bytes, seconds: fetched.seconds, times: 0 };
          this.call.played.push(played);
          for (let pass = 0; pass < verb.loop; pass += 1) {
            this.connectedSeconds += await this.hold(fetched.seconds);
            if (this.pending()) return 'interrupted';
            played.times += 1;
          }
          break;
        }
        case 'Say':
          for (let pass = 0; pass < verb.loop; pass += 1) {
            this.call.said.push(verb.text);
            const seconds = Math.max(1, verb.text.length / SAY_CHARACTERS_PER_SECOND);
            this.connectedSeconds += await this.hold(seconds);
            if (this.pending()) return 'interrupted';
          }
          break;
        case 'Pause': {
          this.connectedSeconds += await this.hold(verb.seconds);
          if (this.pending()) return 'interrupted';
          break;
        }
        case 'Hangup':
          return 'done';
        case 'Connect': {
          const next = await this.connect(verb);
          if (next !== 'next') return next;
          break;
        }
        case 'Dial':
          if (verb.number === '') {
            this.env.twimlProblem({ callSid: this.call.sid, url: null, errorCode: null, reason: '<Dial> without a number' });
            break;
          }
          this.call.dialed.push({ number: verb.number, callerId: verb.callerId });
          this.connectedSeconds += await this.hold(DIALED_CALL_SECONDS);
          if (this.pending()) return 'interrupted';
          break;
        case 'Start':
          if (verb.recording?.statusCallback) this.call.recordingCallback = { url: verb.recording.statusCallback, events: verb.recording.events };
          else this.env.twimlProblem({ callSid: this.call.sid, url: null, errorCode: null, reason: `<Start> with ${verb.nouns.join(', ') || 'nothing'} is not simulated; skipped` });
          break;
        case 'Unsupported':
          this.env.twimlProblem({ callSid: this.call.sid, url: null, errorCode: null, reason: `<${verb.name}> is not simulated; skipped` });
          break;
      }
    }
    return 'done';
  }

  /** A ConversationRelay session; the action's TwiML, if any, replaces the rest of the document. */
  private async connect(verb: ConnectVerb): Promise<'done' | 'failed' | 'interrupted' | 'next'> {
    const outcome = await runConnect(
      { fetcher: this.env.fetcher, startConversation: this.env.startConversation, startMediaStream: this.env.startMediaStream, twimlProblem: this.env.twimlProblem },
      this.call,
      verb,
      this.controller.signal,
    );
    this.connectedSeconds += outcome.seconds;
    switch (outcome.kind) {
      case 'interrupted':
        return 'interrupted';
      case 'next':
        return this.pending() ? 'interrupted' : 'next';
      case 'caller-hung-up':
        return 'done';
      case 'failed':
        return 'failed';
      case 'instructions':
        return this.pending() ? 'interrupted' : this.perform(outcome.verbs);
    }
  }

  /** Read through a method: the interruption arrives from outside while this callee awaits. */
  private pending(): Interruption | null {
    return this.interruption;
  }

  private interrupt(interruption: Interruption): void {
    // A hang-up or abandon outranks a redirect still waiting to run.
    if (this.interruption && this.interruption.kind !== 'new-instructions') return;
    this.interruption = interruption;
    this.controller.abort();
  }

  /** Waits `seconds` of call time; returns how many passed before an interruption. */
  private async hold(seconds: number): Promise<number> {
    if (this.pending()) return 0;
    const started = performance.now();
    const ms = seconds * this.env.msPerCallSecond;
    try {
      await sleep(ms, undefined, { signal: this.controller.signal });
      return seconds;
    } catch {
      if (this.env.msPerCallSecond <= 0) return 0;
      return Math.min(seconds, (performance.now() - started) / this.env.msPerCallSecond);
    }
  }

  /** A real-time pause between early status changes; false when interrupted. */
  private async step(ms: number): Promise<boolean> {
    if (this.pending()) return false;
    try {
      await sleep(ms, undefined, { signal: this.controller.signal });
    } catch {
      // Aborted: the interruption says why.
    }
    return this.pending() === null;
  }

  private async endUnanswered(status: 'canceled' | 'busy' | 'failed' | 'no-answer'): Promise<void> {
    if (this.pending()?.kind === 'abandon') return;
    await this.finish(status, 0);
  }

  private async finish(status: string, callDurationSeconds: number): Promise<void> {
    this.call.endTime = this.env.now();
    this.env.advance(this.call, status);
    await this.send(status, callDurationSeconds);
  }

  /** Reports a non-final status; false when the call was abandoned meanwhile. */
  private async report(status: 'initiated' | 'ringing' | 'in-progress'): Promise<boolean> {
    if (this.pending()?.kind === 'abandon') return false;
    await this.send(status);
    return this.pending()?.kind !== 'abandon';
  }

  /** Sends the callback if StatusCallback subscribed to the event this status belongs to. */
  private async send(status: string, callDurationSeconds?: number): Promise<void> {
    const event = status === 'initiated' || status === 'ringing' ? status : status === 'in-progress' ? 'answered' : 'completed';
    if (!this.call.statusCallback || !this.call.statusCallbackEvents.includes(event)) return;
    const sequenceNumber = this.sequenceNumber;
    this.sequenceNumber += 1;
    await this.env.sendStatus(this.call, { callStatus: status, sequenceNumber, timestamp: this.env.now(), callDurationSeconds });
  }
}
