import { DomainError } from '../../ports/errors.js';
import type { VoiceTransport } from '../../ports/records.js';
import type { CorePorts } from '../context.js';

/**
 * Why this server cannot carry calls over media streams (its own recogniser and voice), or null when it can:
 * an `stt` adapter, and a `tts` adapter that produces 8 kHz μ-law (what the phone line carries). Edge TTS,
 * for one, only makes MP3, which this server does not decode.
 */
export function speechPipelineProblem(ports: Pick<CorePorts, 'stt' | 'tts'>): DomainError | null {
  if (!ports.stt) {
    return new DomainError('CHANNEL_NOT_CONFIGURED', 'Media-stream calls need a speech-to-text adapter, and none is configured.',
      'Configure the "stt" section (deepgram, or mock for demos), or use the conversationrelay transport.', { port: 'stt' });
  }
  if (!ports.tts) {
    return new DomainError('CHANNEL_NOT_CONFIGURED', 'Media-stream calls need a text-to-speech adapter, and none is configured.',
      'Configure the "tts" section (elevenlabs, espeak, openai, or mock), or use the conversationrelay transport.', { port: 'tts' });
  }
  if (!ports.tts.port.capabilities.formats.includes('ulaw_8000')) {
    return new DomainError('CHANNEL_NOT_CONFIGURED', `The ${ports.tts.id} TTS adapter cannot produce 8 kHz μ-law audio, which media streams carry.`,
      'Use a TTS adapter that can (elevenlabs, espeak, openai, mock), or the conversationrelay transport.', { port: 'tts', plugin: ports.tts.id });
  }
  return null;
}

/** Refuses a live call (or setting) on the media-stream transport that this server could not carry. */
export function requireSpeechPipeline(ports: CorePorts, transport: VoiceTransport): void {
  if (transport !== 'media-stream') return;
  const problem = speechPipelineProblem(ports);
  if (problem) throw problem;
}
