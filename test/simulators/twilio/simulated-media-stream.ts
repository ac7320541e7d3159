import { decodeMulaw, MULAW_SILENCE } from '../../../adapters/audio/mulaw.js';
import { ConnectSession } from './connect-session.js';
import { relayUpgradeHeaders } from './relay-socket.js';
import type { StreamNoun } from './twiml-voice-document.js';
import type { SignatureMode } from './twilio-webhook-signing.js';

const FRAME_MS = 20;
const FRAME_BYTES = 160;
/** Frames louder than this (RMS of decoded samples) count as speech heard. */
const SPEECH_RMS = 300;

export interface MediaStreamOptions {
  callSid: string;
  accountSid: string;
  streamSid: string;
  stream: StreamNoun;
  actionUrl: string | null;
  authToken: string;
  signature: SignatureMode;
  connectTimeoutMs: number;
}

/** A frame our server sent, as received. */
export interface OutboundFrame {
  /** Milliseconds since the socket opened (performance clock). */
  atMs: number;
  bytes: Uint8Array;
}

type Playback = { kind: 'frame'; bytes: Uint8Array } | { kind: 'mark'; name: string };

/**
 * One bidirectional Media Stream (`<Connect><Stream>`), with the simulator playing Twilio and the caller: it
 * opens our socket (signed), sends `connected` and `start`, then the caller's audio as 20 ms μ-law frames in
 * real time (silence between utterances, like a real line). What our server sends is checked frame by frame,
 * played back at real time (marks are echoed when reached, `clear` drops what is buffered and echoes the
 * pending marks, as Twilio does), and kept: what the caller heard, and when each frame arrived.
 */
export class SimulatedMediaStream extends ConnectSession {
  readonly callSid: string;
  readonly streamSid: string;
  readonly sessionId: string;
  readonly url: string;
  readonly actionUrl: string | null;
  readonly parameters: Record<string, string>;
  readonly upgradeHeaders: Record<string, string>;
  /** Media frames our server sent, in arrival order. */
  readonly outbound: OutboundFrame[] = [];
  /** Frames the caller heard (played back), in order. */
  readonly heard: Uint8Array[] = [];
  /** Problems with what our server sent (wrong streamSid, bad base64, frame size, unknown event). */
  readonly invalid: string[] = [];
  /** Marks our server sent, and the ones echoed back (in order). */
  readonly marksSent: string[] = [];
  readonly marksEchoed: string[] = [];
  clears = 0;

  private openedAt = 0;
  private sequence = 0;
  private sentFrames = 0;
  private clockStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly speech: Array<{ audio: Uint8Array; offset: number; done: () => void }> = [];
  private readonly playback: Playback[] = [];
  private lastOutboundAt = 0;

  constructor(private readonly options: MediaStreamOptions) {
    super();
    this.callSid = options.callSid;
    this.streamSid = options.streamSid;
    this.sessionId = options.streamSid;
    this.url = options.stream.url;
    this.actionUrl = options.actionUrl;
    this.parameters = { ...options.stream.parameters };
    this.upgradeHeaders = relayUpgradeHeaders(options.authToken, options.stream.url, options.signature);
  }

  /** The agent is audible: audio is buffered for playback. */
  get playing(): boolean {
    return this.playback.some((item) => item.kind === 'frame');
  }

  /** Milliseconds of heard frames that carry sound (not silence) from frame `from` on. */
  heardSpeechMs(from = 0): number {
    return this.heard.slice(from).filter((frame) => rms(frame) > SPEECH_RMS).length * FRAME_MS;
  }

  /** The caller speaks: `audio` (8 kHz μ-law) is streamed in real time; resolves once it was all sent. */
  say(audio: Uint8Array): Promise<void> {
    this.requireOpen('say');
    return new Promise((resolve) => this.speech.push({ audio, offset: 0, done: resolve }));
  }

  /** Resolves once the agent has gone quiet: nothing buffered, nothing received for `quietMs`. */
  async whenAgentQuiet(quietMs = 300, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.playing || performance.now() - this.lastOutboundAt < quietMs) {
      if (performance.now() > deadline) throw new Error(`the agent of ${this.callSid} did not go quiet within ${timeoutMs} ms`);
      if (this.end) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Resolves once the agent's audio has started playing (at least `frames` frames heard after `from`). */
  async whenHeard(from: number, frames = 1, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.heard.length < from + frames) {
      if (performance.now() > deadline) throw new Error(`the agent of ${this.callSid} said nothing within ${timeoutMs} ms`);
      if (this.end) throw new Error(`the stream of ${this.callSid} ended (${this.end.by}) before the agent spoke`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The caller presses a key. */
  dtmf(digit: string): void {
    this.requireOpen('dtmf');
    this.send({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: String(++this.sequence), dtmf: { track: 'inbound_track', digit } });
  }

  /** The caller hangs up: `stop`, the socket closes, Twilio requests the action URL, the call completes. */
  async hangUp(): Promise<void> {
    if (!this.ended.settled) {
      this.send({ event: 'stop', sequenceNumber: String(++this.sequence), streamSid: this.streamSid, stop: { accountSid: this.options.accountSid, callSid: this.callSid } });
      this.finishSession({ by: 'caller' });
    }
    await this.finished.promise;
  }

  async connect(): Promise<void> {
    const socket = await this.open(this.url, this.upgradeHeaders, this.options.connectTimeoutMs);
    if (!socket) return;
    this.openedAt = performance.now();
    socket.on('message', (data, isBinary) => this.receive(isBinary ? '' : data.toString()));
    socket.on('close', (code, reason) => {
      this.state = 'closed';
      this.closeCode = code;
      this.stopClock();
      // A normal close from our server ends the stream as the application meant to (Twilio goes on to the action).
      this.finishSession(code === 1000 ? { by: 'agent', handoffData: null } : { by: 'socket-closed', code, reason: reason.toString() });
    });
    socket.on('error', () => undefined);
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: String(++this.sequence),
      start: {
        accountSid: this.options.accountSid, streamSid: this.streamSid, callSid: this.callSid, tracks: ['inbound'],
        customParameters: this.parameters, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: this.streamSid,
    });
    this.clockStart = performance.now();
    this.tick();
    this.ready.resolve();
  }

  override closeSocket(): void {
    this.stopClock();
    super.closeSocket();
  }

  override markFinished(): void {
    super.markFinished();
    for (const pending of this.speech.splice(0)) pending.done();
  }

  /** One 20 ms step of the line, on the real-time schedule (a late timer catches up): a caller frame out, an agent frame played. */
  private tick = (): void => {
    this.timer = null;
    if (this.state !== 'open') return;
    const due = Math.floor((performance.now() - this.clockStart) / FRAME_MS) + 1;
    while (this.sentFrames < due) {
      this.sendCallerFrame();
      this.playOneFrame();
      this.sentFrames += 1;
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.clockStart + this.sentFrames * FRAME_MS - performance.now()));
  };

  private stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private sendCallerFrame(): void {
    const frame = new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
    const current = this.speech[0];
    if (current) {
      frame.set(current.audio.subarray(current.offset, current.offset + FRAME_BYTES));
      current.offset += FRAME_BYTES;
      if (current.offset >= current.audio.length) {
        this.speech.shift();
        current.done();
      }
    }
    this.send({
      event: 'media', sequenceNumber: String(++this.sequence), streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(this.sentFrames + 1), timestamp: String(this.sentFrames * FRAME_MS), payload: Buffer.from(frame).toString('base64') },
    });
  }

  private playOneFrame(): void {
    this.echoLeadingMarks();
    const next = this.playback[0];
    if (next?.kind !== 'frame') return;
    this.playback.shift();
    this.heard.push(next.bytes);
    this.echoLeadingMarks();
  }

  private echoLeadingMarks(): void {
    while (this.playback[0]?.kind === 'mark') {
      const mark = this.playback.shift() as { kind: 'mark'; name: string };
      this.echo(mark.name);
    }
  }

  private echo(name: string): void {
    this.marksEchoed.push(name);
    this.send({ event: 'mark', sequenceNumber: String(++this.sequence), streamSid: this.streamSid, mark: { name } });
  }

  private receive(raw: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      this.invalid.push(`not JSON: ${raw.slice(0, 80)}`);
      return;
    }
    if (message.streamSid !== this.streamSid) this.invalid.push(`${String(message.event)} with streamSid ${String(message.streamSid)}`);
    switch (message.event) {
      case 'media': {
        const payload = (message.media as { payload?: unknown } | undefined)?.payload;
        const bytes = typeof payload === 'string' ? Buffer.from(payload, 'base64') : Buffer.alloc(0);
        if (typeof payload !== 'string' || bytes.toString('base64') !== payload) this.invalid.push('media payload is not base64');
        else if (bytes.length !== FRAME_BYTES) this.invalid.push(`media frame of ${bytes.length} bytes, not ${FRAME_BYTES} (20 ms of 8 kHz μ-law)`);
        const atMs = performance.now() - this.openedAt;
        this.lastOutboundAt = performance.now();
        this.outbound.push({ atMs, bytes: new Uint8Array(bytes) });
        this.playback.push({ kind: 'frame', bytes: new Uint8Array(bytes) });
        return;
      }
      case 'mark': {
        const name = (message.mark as { name?: unknown } | undefined)?.name;
        if (typeof name !== 'string') return void this.invalid.push('mark without a name');
        this.marksSent.push(name);
        this.playback.push({ kind: 'mark', name });
        return;
      }
      case 'clear':
        this.clears += 1;
        for (const item of this.playback.splice(0)) if (item.kind === 'mark') this.echo(item.name);
        return;
      default:
        this.invalid.push(`unknown event ${String(message.event)}`);
    }
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === this.socket?.OPEN) this.socket?.send(JSON.stringify(message));
  }
}

function rms(frame: Uint8Array): number {
  const samples = decodeMulaw(frame);
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(samples.length, 1));
}
