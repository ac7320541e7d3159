import type { SttEvent } from '../../ports/stt.js';

/** The messages of Deepgram's `/v1/listen` socket we act on (as `@deepgram/sdk` types them, read defensively). */
type ListenMessage = { type?: unknown; [key: string]: unknown };

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** A Deepgram message as an event of the port; null for messages that carry nothing for us (Metadata). */
export function toSttEvent(message: ListenMessage): SttEvent | null {
  switch (message.type) {
    case 'Results': {
      const channel = message.channel as { alternatives?: Array<{ transcript?: unknown }> } | undefined;
      const transcript = channel?.alternatives?.[0]?.transcript;
      const start = num(message.start);
      return {
        type: 'transcript',
        text: typeof transcript === 'string' ? transcript : '',
        isFinal: message.is_final === true,
        speechFinal: message.speech_final === true,
        startSeconds: start,
        endSeconds: start + num(message.duration),
      };
    }
    case 'SpeechStarted':
      return { type: 'speech-started', atSeconds: num(message.timestamp) };
    case 'UtteranceEnd':
      return { type: 'utterance-end', lastWordEndSeconds: num(message.last_word_end) };
    default:
      return null;
  }
}
