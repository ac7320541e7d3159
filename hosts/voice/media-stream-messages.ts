/** Twilio Media Streams messages from the provider, as far as the server acts on them. */
export type MediaStreamMessage =
  | { event: 'connected' }
  | { event: 'start'; streamSid: string; callSid: string; customParameters: Record<string, string>; encoding: string; sampleRate: number }
  /** `payload`: the caller's audio (base64 8 kHz μ-law, usually 20 ms). */
  | { event: 'media'; payload: string; track: string }
  | { event: 'dtmf'; digit: string }
  /** A mark we sent came back: the audio before it has been played. */
  | { event: 'mark'; name: string }
  | { event: 'stop' };

const str = (value: unknown): value is string => typeof value === 'string';
const obj = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** Parses one text frame; null for anything that is not a well-formed message of a known event. */
export function parseMediaStreamMessage(text: string): MediaStreamMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const m = obj(raw);
  switch (m.event) {
    case 'connected':
      return { event: 'connected' };
    case 'start': {
      const start = obj(m.start);
      const format = obj(start.mediaFormat);
      const streamSid = str(m.streamSid) ? m.streamSid : start.streamSid;
      if (!str(streamSid) || !str(start.callSid)) return null;
      const customParameters = Object.fromEntries(Object.entries(obj(start.customParameters)).filter((e): e is [string, string] => str(e[1])));
      return {
        event: 'start', streamSid, callSid: start.callSid, customParameters,
        encoding: str(format.encoding) ? format.encoding : 'audio/x-mulaw',
        sampleRate: Number(format.sampleRate ?? 8000),
      };
    }
    case 'media': {
      const media = obj(m.media);
      return str(media.payload) ? { event: 'media', payload: media.payload, track: str(media.track) ? media.track : 'inbound' } : null;
    }
    case 'dtmf': {
      const digit = obj(m.dtmf).digit;
      return str(digit) && /^[0-9*#A-D]$/.test(digit) ? { event: 'dtmf', digit } : null;
    }
    case 'mark': {
      const name = obj(m.mark).name;
      return str(name) ? { event: 'mark', name } : null;
    }
    case 'stop':
      return { event: 'stop' };
    default:
      return null;
  }
}
