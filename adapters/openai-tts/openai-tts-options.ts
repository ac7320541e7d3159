import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_OPENAI_TTS_BASE_URL = 'https://api.openai.com/v1';
/** OpenAI's speech endpoint takes at most 4096 characters of input. */
export const OPENAI_TTS_MAX_TEXT = 4096;

export interface OpenAiTtsOptions {
  apiKey?: string;
  /** The server's API root including `/v1`: OpenAI, or an OpenAI-compatible local server (Kokoro, LocalAI, Speaches …). */
  baseUrl?: string;
  model?: string;
  voice?: string;
  /** Speaking style, for models that take it (gpt-4o-mini-tts). */
  instructions?: string;
  timeoutMs?: number;
  maxTextLength?: number;
}

export interface ResolvedOpenAiTtsOptions {
  apiKey: string | null;
  baseUrl: string;
  model: string;
  voice: string;
  instructions: string | null;
  timeoutMs: number;
  maxTextLength: number;
}

export const openAiTtsOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'OpenAI TTS options (OpenAI, or any server with an OpenAI-compatible /v1/audio/speech)',
  type: 'object',
  additionalProperties: false,
  properties: {
    apiKey: { type: 'string', minLength: 1, writeOnly: true, description: 'Bearer key, e.g. ${OPENAI_API_KEY}; leave it out for local servers that need none.' },
    baseUrl: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', default: DEFAULT_OPENAI_TTS_BASE_URL, description: 'API root including /v1.' },
    model: { type: 'string', minLength: 1, default: 'gpt-4o-mini-tts', description: 'Speech model: gpt-4o-mini-tts, tts-1, tts-1-hd, or the local server\'s.' },
    voice: { type: 'string', minLength: 1, maxLength: 100, default: 'alloy', description: 'Default voice (alloy, ash, coral, echo, fable, nova, onyx, sage, shimmer …).' },
    instructions: { type: 'string', minLength: 1, maxLength: 4000, description: 'How to speak (tone, pace), for models that accept it.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: 20_000 },
    maxTextLength: { type: 'integer', minimum: 1, maximum: OPENAI_TTS_MAX_TEXT, default: OPENAI_TTS_MAX_TEXT },
  },
};

export function resolveOpenAiTtsOptions(options: OpenAiTtsOptions): ResolvedOpenAiTtsOptions {
  return {
    apiKey: options.apiKey ?? null,
    baseUrl: (options.baseUrl ?? DEFAULT_OPENAI_TTS_BASE_URL).replace(/\/+$/, ''),
    model: options.model ?? 'gpt-4o-mini-tts',
    voice: options.voice ?? 'alloy',
    instructions: options.instructions ?? null,
    timeoutMs: options.timeoutMs ?? 20_000,
    maxTextLength: options.maxTextLength ?? OPENAI_TTS_MAX_TEXT,
  };
}
