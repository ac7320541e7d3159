import type { RawData } from 'ws';
import { decodeMulaw, MULAW_SILENCE } from '../../adapters/audio/mulaw.js';
import { pcm16ToLittleEndian } from '../../adapters/audio/pcm16.js';
import { resamplePcm16 } from '../../adapters/audio/resample.js';
import type { SttEncoding } from '../../ports/stt.js';
import type { MediaStreamProtocol } from '../../ports/telephony.js';
import { parseMediaStreamMessage } from './media-stream-messages.js';
import { FRAME_BYTES, type AudioSink, type FrameFormat } from './paced-audio.js';

/** What a provider's media socket says, whatever its wire format. */
export type MediaEvent =
  /** The stream began: `providerCallId` when the provider names the call (Vonage does not), and whether its audio is the one expected. */
  | { event: 'start'; providerCallId: string | null; supported: boolean }
  /** The caller's audio, in the framing's encoding and rate. */
  | { event: 'media'; audio: Uint8Array }
  | { event: 'dtmf'; digit: string }
  /** The audio before a mark we sent has been played. */
  | { event: 'mark'; name: string }
  | { event: 'stop' }
  /** Known and needing nothing (Twilio's `connected`, Vonage's `websocket:cleared`). */
  | { event: 'ignored' };

/**
 * One provider's media socket protocol: how its messages read, how our paced audio and commands are written,
 * and which audio the call carries (what the recogniser is opened for, what the voice is converted to).
 * A framing holds the state of one stream (Twilio's stream id), so each session makes its own.
 */
export interface MediaFraming {
  readonly audio: { encoding: SttEncoding; sampleRate: number };
  readonly frames: FrameFormat;
  parse(data: RawData, isBinary: boolean): MediaEvent | null;
  sink(send: (data: string | Uint8Array) => void): AudioSink;
  /** The TTS adapter's speech (8 kHz μ-law, what every live-capable adapter makes) as this stream's audio. */
  speech(mulaw: Uint8Array): Uint8Array;
}

export function mediaFraming(protocol: MediaStreamProtocol | undefined): MediaFraming {
  return protocol === 'vonage-websocket' ? new VonageFraming() : new TwilioFraming();
}

const text = (data: RawData): string => (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
const bytes = (data: RawData): Uint8Array => (Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data as ArrayBuffer | Buffer));

/** Twilio Media Streams: JSON text messages, base64 8 kHz μ-law, `mark`/`clear` by the stream's id. */
class TwilioFraming implements MediaFraming {
  readonly audio = { encoding: 'mulaw', sampleRate: 8000 } as const;
  readonly frames = { frameBytes: FRAME_BYTES, silence: MULAW_SILENCE };
  private streamSid = '';

  parse(data: RawData, isBinary: boolean): MediaEvent | null {
    const message = isBinary ? null : parseMediaStreamMessage(text(data));
    if (!message) return null;
    switch (message.event) {
      case 'start':
        this.streamSid = message.streamSid;
        return { event: 'start', providerCallId: message.callSid, supported: message.encoding === 'audio/x-mulaw' && message.sampleRate === 8000 };
      case 'media':
        return { event: 'media', audio: Buffer.from(message.payload, 'base64') };
      case 'connected':
        return { event: 'ignored' };
      default:
        return message;
    }
  }

  sink(send: (data: string | Uint8Array) => void): AudioSink {
    const json = (message: object): void => send(JSON.stringify({ ...message, streamSid: this.streamSid }));
    return {
      media: (frame) => json({ event: 'media', media: { payload: Buffer.from(frame).toString('base64') } }),
      mark: (name) => json({ event: 'mark', mark: { name } }),
      clear: () => json({ event: 'clear' }),
    };
  }

  speech(mulaw: Uint8Array): Uint8Array {
    return mulaw;
  }
}

/** Vonage's content type for the WebSocket endpoint we ask for. */
export const VONAGE_CONTENT_TYPE = 'audio/l16;rate=16000';
const VONAGE_RATE = 16_000;
/** 20 ms of 16-bit samples at 16 kHz. */
const VONAGE_FRAME_BYTES = 640;

/**
 * Vonage's WebSocket endpoint: a `websocket:connected` text message first (the NCCO's headers in it), then
 * binary 16-bit little-endian PCM both ways. Text commands beside the audio: `notify` (echoed as
 * `websocket:notify` once the audio queued before it has played: our marks) and `clear` (drops what Vonage
 * buffered: barge-in); key presses arrive as `websocket:dtmf`.
 */
class VonageFraming implements MediaFraming {
  readonly audio = { encoding: 'linear16', sampleRate: VONAGE_RATE } as const;
  readonly frames = { frameBytes: VONAGE_FRAME_BYTES, silence: 0 };

  parse(data: RawData, isBinary: boolean): MediaEvent | null {
    if (isBinary) return { event: 'media', audio: bytes(data) };
    let message: Record<string, unknown>;
    try {
      const parsed = JSON.parse(text(data)) as unknown;
      if (!parsed || typeof parsed !== 'object') return null;
      message = parsed as Record<string, unknown>;
    } catch {
      return null;
    }
    switch (message.event) {
      case 'websocket:connected':
        return { event: 'start', providerCallId: null, supported: message['content-type'] === VONAGE_CONTENT_TYPE };
      case 'websocket:notify': {
        const name = (message.payload as { name?: unknown } | undefined)?.name;
        return typeof name === 'string' ? { event: 'mark', name } : null;
      }
      case 'websocket:dtmf': {
        const digit = message.digit;
        return typeof digit === 'string' && /^[0-9*#]$/.test(digit) ? { event: 'dtmf', digit } : null;
      }
      case 'websocket:cleared':
        return { event: 'ignored' };
      default:
        return null;
    }
  }

  sink(send: (data: string | Uint8Array) => void): AudioSink {
    return {
      media: (frame) => send(frame),
      mark: (name) => send(JSON.stringify({ action: 'notify', payload: { name } })),
      clear: () => send(JSON.stringify({ action: 'clear' })),
    };
  }

  speech(mulaw: Uint8Array): Uint8Array {
    const upsampled = resamplePcm16({ samples: decodeMulaw(mulaw), sampleRate: 8000 }, VONAGE_RATE);
    return pcm16ToLittleEndian(upsampled.samples);
  }
}
