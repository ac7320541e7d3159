import { DomainError } from '../../ports/errors.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat, type SynthesisRequest, type SynthesizedAudio, type TtsCapabilities } from '../../ports/tts.js';

/**
 * The checks every TTS adapter makes before spending a provider request: text present and short enough,
 * format offered. Returns the text with its surrounding blanks removed.
 */
export function checkSynthesisRequest(request: SynthesisRequest, capabilities: TtsCapabilities, provider: string): string {
  const text = typeof request.text === 'string' ? request.text.trim() : '';
  if (text === '') {
    throw new DomainError('INVALID_INPUT', 'There is no text to speak.', 'Give the text to synthesise (at least one non-blank character).', { provider });
  }
  if (request.text.length > capabilities.maxTextLength) {
    throw new DomainError(
      'INVALID_INPUT',
      `The text is ${request.text.length} characters long; ${provider} speaks at most ${capabilities.maxTextLength} in one request.`,
      'Split the text into shorter parts (at sentence boundaries) and synthesise each one.',
      { provider, length: request.text.length, maxTextLength: capabilities.maxTextLength },
    );
  }
  if (!capabilities.formats.includes(request.format)) {
    throw new DomainError(
      'INVALID_INPUT',
      `${provider} cannot produce ${String(request.format)} audio.`,
      `Ask for one of: ${capabilities.formats.join(', ')}.`,
      { provider, format: String(request.format) },
    );
  }
  return text;
}

export function synthesizedAudio(format: AudioFormat, audio: Uint8Array): SynthesizedAudio {
  return { audio, format, contentType: AUDIO_CONTENT_TYPES[format] };
}

export function unknownVoice(provider: string, voice: string, hint: string): DomainError {
  return new DomainError('UNKNOWN_VOICE', `${provider} does not offer the voice "${voice.slice(0, 80)}".`, hint, { provider, voice: voice.slice(0, 80) });
}
