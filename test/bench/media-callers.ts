import WebSocket from 'ws';
import { encodeMulaw, MULAW_SILENCE } from '../../adapters/audio/mulaw.js';
import { pcm16ToLittleEndian } from '../../adapters/audio/pcm16.js';

const FRAME_MS = 20;
/** How long each caller speaks per turn: 30 frames of tone. */
const SPEECH_FRAMES = 30;

/** A loud 440 Hz tone for 20 ms at `rate`: what the demo recogniser takes for speech. */
function tone(rate: number): Int16Array {
  return Int16Array.from({ length: (rate * FRAME_MS) / 1000 }, (_, n) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * n) / rate)));
}

/** What our server sent on a media socket, as the caller's side reads it. */
export type Heard = { kind: 'media' } | { kind: 'mark'; echo: string } | null;

/** One provider's media socket as its caller side speaks it. */
export interface CallerWire {
  /** Messages sent once the socket opens, before any audio. */
  opening(): string[];
  /** One 20 ms frame of the caller's audio (the `n`th): tone when speaking, silence otherwise. */
  frame(speech: boolean, n: number): string | Buffer;
  read(data: Buffer, isBinary: boolean): Heard;
}

/** Twilio Media Streams: JSON text messages, base64 8 kHz μ-law; marks echoed as they come. */
export function twilioWire(callSid: string): CallerWire {
  const streamSid = `MZ${callSid}`;
  const speech = Buffer.from(encodeMulaw(tone(8000))).toString('base64');
  const silence = Buffer.from(new Uint8Array(160).fill(MULAW_SILENCE)).toString('base64');
  return {
    opening: () => [
      JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
      JSON.stringify({ event: 'start', streamSid, start: { streamSid, callSid, tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }),
    ],
    frame: (speaking, n) => JSON.stringify({ event: 'media', streamSid, media: { track: 'inbound', chunk: String(n), timestamp: String(n * FRAME_MS), payload: speaking ? speech : silence } }),
    read: (data, isBinary) => {
      if (isBinary) return null;
      const m = JSON.parse(data.toString()) as { event: string; mark?: { name: string } };
      if (m.event === 'media') return { kind: 'media' };
      if (m.event === 'mark') return { kind: 'mark', echo: JSON.stringify({ event: 'mark', streamSid, mark: m.mark }) };
      return null;
    },
  };
}

/**
 * Vonage's WebSocket endpoint: `websocket:connected` (with the NCCO's headers) first, then binary 16-bit PCM at
 * `rate` (16 kHz as our NCCO asks; 8 kHz possible), our `notify` commands echoed as `websocket:notify`.
 */
export function vonageWire(headers: Record<string, string>, rate: 8000 | 16000 = 16000): CallerWire {
  const speech = Buffer.from(pcm16ToLittleEndian(tone(rate)));
  const silence = Buffer.alloc(speech.length);
  return {
    opening: () => [JSON.stringify({ event: 'websocket:connected', 'content-type': `audio/l16;rate=${rate}`, ...headers })],
    frame: (speaking) => (speaking ? speech : silence),
    read: (data, isBinary) => {
      if (isBinary) return { kind: 'media' };
      const m = JSON.parse(data.toString()) as { action?: string; payload?: unknown };
      return m.action === 'notify' ? { kind: 'mark', echo: JSON.stringify({ event: 'websocket:notify', payload: m.payload }) } : null;
    },
  };
}

export interface CallerOptions {
  turns: number;
  /** Mean pause between the end of a reply and the caller's next turn. */
  gapMs: number;
  /** |interval − 20 ms| of consecutive frames of a sentence (between marks) go here. */
  jitter: number[];
  headers?: Record<string, string>;
}

/**
 * One caller in real time (a drift-free 20 ms schedule): speaks, waits for the whole reply (marks echoed as they
 * arrive), pauses, speaks again, `turns` times, then hangs up. Resolves when the socket closed.
 */
export function runCaller(url: string, wire: CallerWire, options: CallerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: options.headers ?? {}, perMessageDeflate: false });
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
        ws.send(wire.frame(speechLeft > 0, sent));
        if (speechLeft > 0) speechLeft -= 1;
      }
      // A reply is over once its audio stopped for 200 ms; then the caller pauses and speaks again.
      if (replyHeard && now - lastFrameAt > 200 && nextSpeechAt === Infinity) {
        replyHeard = false;
        if (turn >= options.turns) return void ws.close();
        nextSpeechAt = now + Math.random() * 2 * options.gapMs;
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
      for (const message of wire.opening()) ws.send(message);
      clock = performance.now();
      tick();
    });
    ws.on('message', (data, isBinary) => {
      const heard = wire.read(data as Buffer, isBinary);
      const now = performance.now();
      if (heard?.kind === 'media') {
        // Every gap inside a sentence counts, stalls included.
        if (previousInSentence > 0) options.jitter.push(Math.abs(now - previousInSentence - FRAME_MS));
        previousInSentence = now;
        replyHeard = true;
        lastFrameAt = now;
        quietSince = now;
        // More of the reply after a pause: the caller waits for its end again before speaking.
        if (speechLeft === 0) nextSpeechAt = Infinity;
      } else if (heard?.kind === 'mark') {
        previousInSentence = 0;
        ws.send(heard.echo);
      }
    });
    ws.on('close', () => resolve());
    ws.on('error', reject);
  });
}
