import { MULAW_SILENCE } from '../../adapters/audio/mulaw.js';

/** 20 ms: the frame of the phone network, of Twilio Media Streams and of Vonage's WebSocket audio. */
export const FRAME_MS = 20;
/** 20 ms of 8 kHz μ-law. */
export const FRAME_BYTES = 160;

/** The size of one 20 ms frame of the stream's audio, and the byte that fills silence in it. */
export interface FrameFormat {
  frameBytes: number;
  silence: number;
}

const MULAW_FRAMES: FrameFormat = { frameBytes: FRAME_BYTES, silence: MULAW_SILENCE };

/** Where paced audio goes: the provider's media socket. */
export interface AudioSink {
  media(frame: Uint8Array): void;
  mark(name: string): void;
  clear(): void;
}

type Item = { kind: 'frame'; bytes: Uint8Array; sent?: () => void } | { kind: 'mark'; name: string };

/**
 * Outbound audio of one call, sent one 20 ms frame at a time on the real-time schedule (frame n at
 * start + n × 20 ms, so timer lateness never accumulates; a late timer sends what is due at once). Marks
 * travel in order with the frames, so the provider echoes each one when the audio before it has played.
 * Pacing keeps the provider's buffer short: a barge-in then discards little that was never heard.
 */
export class PacedAudio {
  private readonly queue: Item[] = [];
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private sentFrames = 0;
  private closed = false;

  constructor(
    private readonly sink: AudioSink,
    private readonly now: () => number = () => performance.now(),
    private readonly format: FrameFormat = MULAW_FRAMES,
  ) {}

  /** Nothing queued: everything was handed to the provider. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  /** Queues audio, cut into frames (the last one padded with silence); `firstFrameSent` runs when its first frame goes out. */
  enqueue(audio: Uint8Array, firstFrameSent?: () => void): void {
    if (this.closed || audio.length === 0) return;
    const { frameBytes, silence } = this.format;
    for (let offset = 0; offset < audio.length; offset += frameBytes) {
      let bytes = audio.subarray(offset, offset + frameBytes);
      if (bytes.length < frameBytes) {
        const padded = new Uint8Array(frameBytes).fill(silence);
        padded.set(bytes);
        bytes = padded;
      }
      this.queue.push({ kind: 'frame', bytes, ...(offset === 0 && firstFrameSent ? { sent: firstFrameSent } : {}) });
    }
    this.wake();
  }

  /** A mark after the audio queued so far. */
  mark(name: string): void {
    if (this.closed) return;
    this.queue.push({ kind: 'mark', name });
    this.wake();
  }

  /** Drops what is queued here and tells the provider to drop what it buffered (barge-in). */
  clear(): void {
    this.queue.length = 0;
    this.sentFrames = 0;
    this.stop();
    if (!this.closed) this.sink.clear();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.stop();
  }

  /** Pumps now unless a timer is already waiting for the next frame. */
  private wake(): void {
    if (!this.timer) this.pump();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends every frame that is due, and the marks between them, then sleeps until the next one is. */
  private pump = (): void => {
    this.timer = null;
    const now = this.now();
    // After a pause (nothing was queued), a new schedule starts now.
    if (this.sentFrames === 0) this.startedAt = now;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'mark') {
        this.queue.shift();
        this.sink.mark(head.name);
        continue;
      }
      if (this.startedAt + this.sentFrames * FRAME_MS > now) break;
      this.queue.shift();
      this.sink.media(head.bytes);
      this.sentFrames += 1;
      head.sent?.();
      if (this.closed) return;
    }
    if (this.queue.length > 0) {
      this.timer = setTimeout(this.pump, Math.max(0, this.startedAt + this.sentFrames * FRAME_MS - this.now()));
    } else {
      this.sentFrames = 0;
    }
  };
}
