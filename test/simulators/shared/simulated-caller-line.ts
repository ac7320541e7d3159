import { ConnectSession } from '../twilio/connect-session.js';

/** 20 ms: the frame of the phone network, of Twilio Media Streams and of Vonage's WebSocket audio. */
export const LINE_FRAME_MS = 20;
/** Frames louder than this (RMS of their samples) count as speech heard. */
const SPEECH_RMS = 300;
/**
 * How far ahead of real time our server may get within one stretch of speech before the line calls it unpaced.
 * A paced server is never ahead of its own schedule, but the line only sees arrivals: when the event loop stalls
 * (a loaded machine), the first frame of a stretch arrives late together with the frames the server sent to catch
 * up. Half a second covers such stalls; a server that hands over a sentence at once (one second of audio and more)
 * is far beyond it.
 */
const PACING_SLACK_FRAMES = 25;

/** A frame our server sent, as received. */
export interface OutboundFrame {
  /** Milliseconds since the socket opened (performance clock). */
  atMs: number;
  bytes: Uint8Array;
}

/** What plays on the line: audio, or a marker our server placed after it (Twilio's mark, Vonage's notify). */
type Playback<M> = { kind: 'frame'; bytes: Uint8Array } | { kind: 'marker'; marker: M };

/** The line's audio format: the size of a 20 ms frame, its silence, and its samples (for loudness). */
export interface LineAudio {
  /** As problems name it: `8 kHz μ-law`. */
  name: string;
  frameBytes: number;
  silence: number;
  samples(frame: Uint8Array): Int16Array;
}

/**
 * A provider's media socket with a caller on it, whatever the wire: the caller's audio sent as 20 ms frames in
 * real time (a drift-free schedule; a late timer catches up), silence between utterances; what our server sends
 * checked (frame size, never ahead of real time), played back in real time with its markers echoed once the audio
 * before them played, and kept: what the caller heard, and when each frame arrived. Subclasses speak the wire.
 */
export abstract class SimulatedCallerLine<M> extends ConnectSession {
  /** Frames our server sent, in arrival order. */
  readonly outbound: OutboundFrame[] = [];
  /** Frames the caller heard (played back), in order. */
  readonly heard: Uint8Array[] = [];
  /** Problems with what our server sent. */
  readonly invalid: string[] = [];
  clears = 0;

  private openedAt = 0;
  private sentFrames = 0;
  private clockStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly speech: Array<{ audio: Uint8Array; offset: number; done: () => void }> = [];
  private readonly playback: Array<Playback<M>> = [];
  private lastOutboundAt = 0;
  /** The current stretch of our server's audio: when its first frame came, and how many came since. */
  private spurt: { startedAt: number; frames: number; reported: boolean } | null = null;

  protected constructor(private readonly audio: LineAudio) {
    super();
  }

  /** Sends one caller frame on the wire (the `n`th, from 0). */
  protected abstract sendCallerFrame(frame: Uint8Array, n: number): void;
  /** The marker's audio has played: tell our server. */
  protected abstract echo(marker: M): void;
  /** The caller hangs up; resolves once the call is over. */
  abstract hangUp(): Promise<void>;

  /** The agent is audible: audio is buffered for playback. */
  get playing(): boolean {
    return this.playback.some((item) => item.kind === 'frame');
  }

  /** Milliseconds of heard frames that carry sound (not silence) from frame `from` on. */
  heardSpeechMs(from = 0): number {
    return this.heard.slice(from).filter((frame) => rms(this.audio.samples(frame)) > SPEECH_RMS).length * LINE_FRAME_MS;
  }

  /** The caller speaks: `audio` (the line's format) is streamed in real time; resolves once it was all sent. */
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
      if (this.end) throw new Error(`the socket of ${this.callSid} ended (${this.end.by}) before the agent spoke`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  override closeSocket(): void {
    this.stopClock();
    super.closeSocket();
  }

  override markFinished(): void {
    super.markFinished();
    for (const pending of this.speech.splice(0)) pending.done();
  }

  /** The socket opened: arrival times count from now. */
  protected opened(): void {
    this.openedAt = performance.now();
  }

  /** The line's clock starts: a caller frame out and an agent frame played every 20 ms from now on. */
  protected startClock(): void {
    this.clockStart = performance.now();
    this.tick();
  }

  protected stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** An audio frame from our server: checked, kept, queued for playback. */
  protected receiveFrame(bytes: Uint8Array): void {
    const now = performance.now();
    const { frameBytes, name } = this.audio;
    if (bytes.length !== frameBytes) this.invalid.push(`audio frame of ${bytes.length} bytes, not ${frameBytes} (20 ms of ${name})`);
    // A new stretch of speech begins when nothing of the previous one is left to play.
    if (!this.spurt || !this.playing) this.spurt = { startedAt: now, frames: 0, reported: false };
    this.spurt.frames += 1;
    const allowed = Math.floor((now - this.spurt.startedAt) / LINE_FRAME_MS) + 1 + PACING_SLACK_FRAMES;
    // Once per stretch: the frames after the first one ahead stay ahead, and say nothing more.
    if (this.spurt.frames > allowed && !this.spurt.reported) {
      this.spurt.reported = true;
      this.invalid.push(`frame ${this.spurt.frames} of a stretch came ${Math.round(now - this.spurt.startedAt)} ms after its first: ahead of real time`);
    }
    this.lastOutboundAt = now;
    this.outbound.push({ atMs: now - this.openedAt, bytes });
    this.playback.push({ kind: 'frame', bytes });
  }

  /** A marker from our server, after the audio sent before it. */
  protected receiveMarker(marker: M): void {
    this.playback.push({ kind: 'marker', marker });
  }

  /** `clear`: what is buffered is dropped; returns the markers dropped with it. */
  protected dropPlayback(): M[] {
    this.clears += 1;
    this.spurt = null;
    return this.playback.splice(0).flatMap((item) => (item.kind === 'marker' ? [item.marker] : []));
  }

  /** One 20 ms step of the line, on the real-time schedule: a caller frame out, an agent frame played. */
  private tick = (): void => {
    this.timer = null;
    if (this.state !== 'open') return;
    const due = Math.floor((performance.now() - this.clockStart) / LINE_FRAME_MS) + 1;
    while (this.sentFrames < due) {
      this.sendCallerFrame(this.nextCallerFrame(), this.sentFrames);
      this.playOneFrame();
      this.sentFrames += 1;
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.clockStart + this.sentFrames * LINE_FRAME_MS - performance.now()));
  };

  private nextCallerFrame(): Uint8Array {
    const { frameBytes, silence } = this.audio;
    const frame = new Uint8Array(frameBytes).fill(silence);
    const current = this.speech[0];
    if (current) {
      frame.set(current.audio.subarray(current.offset, current.offset + frameBytes));
      current.offset += frameBytes;
      if (current.offset >= current.audio.length) {
        this.speech.shift();
        current.done();
      }
    }
    return frame;
  }

  private playOneFrame(): void {
    this.echoLeadingMarkers();
    const next = this.playback[0];
    if (next?.kind !== 'frame') return;
    this.playback.shift();
    this.heard.push(next.bytes);
    this.echoLeadingMarkers();
  }

  private echoLeadingMarkers(): void {
    while (this.playback[0]?.kind === 'marker') {
      const { marker } = this.playback.shift() as { kind: 'marker'; marker: M };
      this.echo(marker);
    }
  }
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(samples.length, 1));
}
