import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_ESPEAK_BINARY = 'espeak-ng';
export const DEFAULT_ESPEAK_VOICE = 'en-us';
export const DEFAULT_ESPEAK_TIMEOUT_MS = 20_000;
export const DEFAULT_ESPEAK_MAX_TEXT_LENGTH = 5_000;
/** Synthesis is CPU-bound: more processes than cores only makes every caller wait longer. */
export const DEFAULT_ESPEAK_MAX_CONCURRENT = 2;

export interface EspeakOptions {
  /** The espeak-ng program: a name looked up on PATH, or a path. */
  binary?: string;
  /** Voice used when a request names none: an espeak-ng language (`en-us`, `fr-fr`), optionally `+variant` (`en-us+f3`). */
  voice?: string;
  /** Speaking rate in words per minute (espeak-ng's default is 175). */
  wordsPerMinute?: number;
  timeoutMs?: number;
  maxTextLength?: number;
  maxConcurrent?: number;
}

export type ResolvedEspeakOptions = Required<Omit<EspeakOptions, 'wordsPerMinute'>> & Pick<EspeakOptions, 'wordsPerMinute'>;

export const espeakOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'eSpeak NG text-to-speech options',
  type: 'object',
  additionalProperties: false,
  properties: {
    binary: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_ESPEAK_BINARY,
      description: 'The espeak-ng program, on PATH or as a path. Install it with: apt-get install espeak-ng.',
    },
    voice: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]+(\\+[A-Za-z0-9_-]+)?$',
      default: DEFAULT_ESPEAK_VOICE,
      description: 'Voice used when a request names none: a language of `espeak-ng --voices` (en-us, en-gb, fr-fr …), optionally +variant (en-us+f3).',
    },
    wordsPerMinute: {
      type: 'integer',
      minimum: 80,
      maximum: 450,
      description: 'Speaking rate in words per minute (espeak-ng default 175).',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 300_000,
      default: DEFAULT_ESPEAK_TIMEOUT_MS,
      description: 'How long one synthesis may run before espeak-ng is killed, in milliseconds.',
    },
    maxTextLength: {
      type: 'integer',
      minimum: 1,
      maximum: 100_000,
      default: DEFAULT_ESPEAK_MAX_TEXT_LENGTH,
      description: 'Longest text accepted in one request.',
    },
    maxConcurrent: {
      type: 'integer',
      minimum: 1,
      maximum: 64,
      default: DEFAULT_ESPEAK_MAX_CONCURRENT,
      description: 'espeak-ng processes allowed at once; further requests wait their turn.',
    },
  },
};

export function resolveEspeakOptions(options: EspeakOptions): ResolvedEspeakOptions {
  return {
    binary: options.binary ?? DEFAULT_ESPEAK_BINARY,
    voice: options.voice ?? DEFAULT_ESPEAK_VOICE,
    wordsPerMinute: options.wordsPerMinute,
    timeoutMs: options.timeoutMs ?? DEFAULT_ESPEAK_TIMEOUT_MS,
    maxTextLength: options.maxTextLength ?? DEFAULT_ESPEAK_MAX_TEXT_LENGTH,
    maxConcurrent: options.maxConcurrent ?? DEFAULT_ESPEAK_MAX_CONCURRENT,
  };
}
