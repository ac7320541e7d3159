import { pcm16FromLittleEndian } from '../../../adapters/audio/pcm16.js';
import { ConnectSession } from '../twilio/connect-session.js';

/** 20 ms of 16-bit linear PCM at 16 kHz: the frame Vonage sends and expects on `audio/l16;rate=16000`. */
export const VONAGE_FRAME_MS = 20;
export const VONAGE_FRAME_BYTES = 640;
export const VONAGE_CONTENT_TYPE = 'audio/l16;rate=16000';
/** Frames louder than this (RMS) count as speech heard. */
const SPEECH_RMS = 300;
/**
 * How far ahead of real time our server may get within one stretch of speech before the simulator calls it unpaced.
 * A paced server is never ahead of its own schedule, but the simulator only sees arrivals: when the event loop stalls
 * (a loaded machine), the first frame of a stretch arrives late together with the frames the server sent to catch
 * up. Half a second covers such stalls; a server that hands over a sentence at once (one second of audio and more)
 * is far beyond it.
 */
const PACING_SLACK_FRAMES = 25;

export interface VonageSocketOptions {
  uuid: string;
  /** The `uri` of the NCCO's websocket endpoint, as given (with our server's token). */
  uri: string;
  contentType: string;
  /** The endpoint's `headers`: sent in the first message. */
  headers: Record<string, string>;
  connectTimeoutMs: number;
}

export interface VonageOutboundFrame {
  /** Milliseconds since the socket opened (performance clock). */
  atMs: number;
  bytes: Uint8Array;
}

type Playback = { kind: 'frame'; bytes: Uint8Array } | { kind: 'notify'; payload: unknown };

/**
 * One WebSocket leg of a Vonage call (NCCO `connect` to a `websocket` endpoint), the simulator playing Vonage and the
 * caller: it opens our socket, sends `websocket:connected` with the NCCO's headers, then the caller's audio as
 * binary 640-byte frames of 16 kHz L16 in real time (silence between utterances). What our server sends is checked
 * (binary frames of exactly 20 ms, never ahead of real time; `notify` and `clear` the only commands), played back at
 * real time (a `notify` is answered with `websocket:notify` once the audio before it played; `clear` drops what is
 * buffered, queued notifications with it, and is acknowledged with `websocket:cleared`), and kept.
 */
export class SimulatedVonageSocket extends ConnectSession {
  readonly callSid: string;
  readonly sessionId: string;
  readonly uri: string;
  readonly headers: Record<string, string>;
  readonly outbound: VonageOutboundFrame[] = [];
  readonly heard: Uint8Array[] = [];
  /** Problems with what our server sent (frame size, pacing, unknown commands, text that is not JSON). */
  readonly invalid: string[] = [];
  readonly notifiesSent: unknown[] = [];
  readonly notifiesEchoed: unknown[] = [];
  clears = 0;

  private openedAt = 0;
  private sentFrames = 0;
  private clockStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly speech: Array<{ audio: Uint8Array; offset: number; done: () => void }> = [];
  private readonly playback: Playback[] = [];
  private lastOutboundAt = 0;
  /** The current stretch of our server's audio: when its first frame came, and how many came since. */
  private spurt: { startedAt: number; frames: number; reported: boolean } | null = null;

  constructor(private readonly options: VonageSocketOptions) {
    super();
    this.callSid = options.uuid;
    this.sessionId = options.uuid;
    this.uri = options.uri;
    this.headers = { ...options.headers };
  }

  get playing(): boolean {
    return this.playback.some((item) => item.kind === 'frame');
  }

  heardSpeechMs(from = 0): number {
    return this.heard.slice(from).filter((frame) => rms(frame) > SPEECH_RMS).length * VONAGE_FRAME_MS;
  }

  /** The caller speaks: `audio` (16 kHz L16, little-endian) is streamed in real time; resolves once it was all sent. */
  say(audio: Uint8Array): Promise<void> {
    this.requireOpen('say');
    return new Promise((resolve) => this.speech.push({ audio, offset: 0, done: resolve }));
  }

  async whenAgentQuiet(quietMs = 300, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.playing || performance.now() - this.lastOutboundAt < quietMs) {
      if (performance.now() > deadline) throw new Error(`the agent of ${this.callSid} did not go quiet within ${timeoutMs} ms`);
      if (this.end) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async whenHeard(from: number, frames = 1, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.heard.length < from + frames) {
      if (performance.now() > deadline) throw new Error(`the agent of ${this.callSid} said nothing within ${timeoutMs} ms`);
      if (this.end) throw new Error(`the socket of ${this.callSid} ended (${this.end.by}) before the agent spoke`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The caller presses a key: Vonage reports it on the socket. */
  dtmf(digit: string): void {
    this.requireOpen('dtmf');
    this.sendText({ event: 'websocket:dtmf', digit, duration: 260 });
  }

  /** The caller hangs up: Vonage closes the socket and the call completes (the rest of the NCCO does not run). */
  async hangUp(): Promise<void> {
    if (!this.ended.settled) {
      this.finishSession({ by: 'caller' });
      this.closeSocket();
    }
    await this.finished.promise;
  }

  async connect(): Promise<void> {
    const socket = await this.open(this.uri, { 'user-agent': 'Vonage-Voice-Simulator' }, this.options.connectTimeoutMs);
    if (!socket) return;
    this.openedAt = performance.now();
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('close', (code, reason) => {
      this.state = 'closed';
      this.closeCode = code;
      this.stopClock();
      this.finishSession(code === 1000 ? { by: 'agent', handoffData: null } : { by: 'socket-closed', code, reason: reason.toString() });
    });
    socket.on('error', () => undefined);
    this.sendText({ event: 'websocket:connected', 'content-type': this.options.contentType, ...this.headers });
    this.clockStart = performance.now();
    this.tick();
    this.ready.resolve();
  }

  /** What the `notify` after the socket asked for: a transfer to a number, or the end of the call. */
  recordNext(ncco: unknown[] | null): void {
    const connect = ncco?.find((a) => (a as { action?: unknown }).action === 'connect') as { from?: string; endpoint?: Array<{ type?: string; number?: string }> } | undefined;
    const phone = connect?.endpoint?.find((e) => e.type === 'phone');
    if (phone?.number) this.dialed = { number: `+${phone.number}`, callerId: connect?.from ? `+${connect.from}` : null };
    this.hungUp = ncco !== null && !phone;
  }

  override closeSocket(): void {
    this.stopClock();
    super.closeSocket();
  }

  override markFinished(): void {
    super.markFinished();
    for (const pending of this.speech.splice(0)) pending.done();
  }

  private tick = (): void => {
    this.timer = null;
    if (this.state !== 'open') return;
    const due = Math.floor((performance.now() - this.clockStart) / VONAGE_FRAME_MS) + 1;
    while (this.sentFrames < due) {
      this.sendCallerFrame();
      this.playOneFrame();
      this.sentFrames += 1;
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.clockStart + this.sentFrames * VONAGE_FRAME_MS - performance.now()));
  };

  private stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private sendCallerFrame(): void {
    const frame = new Uint8Array(VONAGE_FRAME_BYTES);
    const current = this.speech[0];
    if (current) {
      frame.set(current.audio.subarray(current.offset, current.offset + VONAGE_FRAME_BYTES));
      current.offset += VONAGE_FRAME_BYTES;
      if (current.offset >= current.audio.length) {
        this.speech.shift();
        current.done();
      }
    }
    if (this.socket?.readyState === this.socket?.OPEN) this.socket?.send(frame, { binary: true });
  }

  private playOneFrame(): void {
    this.echoLeadingNotifies();
    const next = this.playback[0];
    if (next?.kind !== 'frame') return;
    this.playback.shift();
    this.heard.push(next.bytes);
    this.echoLeadingNotifies();
  }

  private echoLeadingNotifies(): void {
    while (this.playback[0]?.kind === 'notify') {
      const { payload } = this.playback.shift() as { kind: 'notify'; payload: unknown };
      this.notifiesEchoed.push(payload);
      this.sendText({ event: 'websocket:notify', payload });
    }
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.receiveAudio(new Uint8Array(data));
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    } catch {
      this.invalid.push(`text that is not JSON: ${data.toString('utf8').slice(0, 80)}`);
      return;
    }
    switch (message.action) {
      case 'notify':
        this.notifiesSent.push(message.payload);
        this.playback.push({ kind: 'notify', payload: message.payload });
        return;
      case 'clear':
        this.clears += 1;
        this.playback.length = 0;
        this.spurt = null;
        this.sendText({ event: 'websocket:cleared' });
        return;
      default:
        this.invalid.push(`unknown command ${JSON.stringify(message).slice(0, 80)}`);
    }
  }

  private receiveAudio(bytes: Uint8Array): void {
    const now = performance.now();
    if (bytes.length !== VONAGE_FRAME_BYTES) this.invalid.push(`audio frame of ${bytes.length} bytes, not ${VONAGE_FRAME_BYTES} (20 ms of 16 kHz L16)`);
    // A new stretch of speech begins when nothing of the previous one is left to play.
    if (!this.spurt || !this.playing) this.spurt = { startedAt: now, frames: 0, reported: false };
    this.spurt.frames += 1;
    const allowed = Math.floor((now - this.spurt.startedAt) / VONAGE_FRAME_MS) + 1 + PACING_SLACK_FRAMES;
    // Once per stretch: the frames after the first one ahead stay ahead, and say nothing more.
    if (this.spurt.frames > allowed && !this.spurt.reported) {
      this.spurt.reported = true;
      this.invalid.push(`frame ${this.spurt.frames} of a stretch came ${Math.round(now - this.spurt.startedAt)} ms after its first: ahead of real time`);
    }
    this.lastOutboundAt = now;
    this.outbound.push({ atMs: now - this.openedAt, bytes });
    this.playback.push({ kind: 'frame', bytes });
  }

  private sendText(message: Record<string, unknown>): void {
    if (this.socket?.readyState === this.socket?.OPEN) this.socket?.send(JSON.stringify(message));
  }
}

function rms(frame: Uint8Array): number {
  const samples = pcm16FromLittleEndian(frame);
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(samples.length, 1));
}
