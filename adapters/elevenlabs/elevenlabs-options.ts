import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_ELEVENLABS_BASE_URL = 'https://api.elevenlabs.io';
/** "George", a premade voice every account has. */
export const DEFAULT_ELEVENLABS_VOICE_ID = 'JBFqnCBsd6RMkjVDRZzb';
/** Low latency and half the credits of multilingual v2: the model made for phone agents. */
export const DEFAULT_ELEVENLABS_MODEL_ID = 'eleven_flash_v2_5';
export const DEFAULT_ELEVENLABS_TIMEOUT_MS = 30_000;
/** Below every current model's per-request limit (v3: 5,000; multilingual v2: 10,000; flash/turbo: 40,000). */
export const DEFAULT_ELEVENLABS_MAX_TEXT_LENGTH = 5_000;

export interface ElevenLabsOptions {
  apiKey: string;
  /** Another origin for the API: a regional residency endpoint, a proxy, or a simulator in tests. */
  baseUrl?: string;
  /** Voice used when a request names none. */
  voiceId?: string;
  modelId?: string;
  timeoutMs?: number;
  maxTextLength?: number;
}

export type ResolvedElevenLabsOptions = Required<ElevenLabsOptions>;

export const elevenLabsOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ElevenLabs text-to-speech options',
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: {
    apiKey: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'API key (xi-api-key), from the ElevenLabs dashboard. Usually ${ELEVENLABS_API_KEY}.',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_ELEVENLABS_BASE_URL,
      description: 'Origin of the ElevenLabs API; set it for data residency (e.g. https://api.eu.residency.elevenlabs.io), a proxy or a local simulator.',
    },
    voiceId: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,100}$',
      default: DEFAULT_ELEVENLABS_VOICE_ID,
      description: 'Voice id used when a request names none (see GET /v1/voices).',
    },
    modelId: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_ELEVENLABS_MODEL_ID,
      description: 'Model id, e.g. eleven_flash_v2_5 (fast, cheap), eleven_multilingual_v2 (richer).',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 300_000,
      default: DEFAULT_ELEVENLABS_TIMEOUT_MS,
      description: 'How long a whole synthesis (request and audio download) may take, in milliseconds.',
    },
    maxTextLength: {
      type: 'integer',
      minimum: 1,
      maximum: 40_000,
      default: DEFAULT_ELEVENLABS_MAX_TEXT_LENGTH,
      description: 'Longest text accepted in one request; keep it within the model\'s limit.',
    },
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveElevenLabsOptions(options: ElevenLabsOptions): ResolvedElevenLabsOptions {
  return {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? DEFAULT_ELEVENLABS_BASE_URL).replace(/\/+$/, ''),
    voiceId: options.voiceId ?? DEFAULT_ELEVENLABS_VOICE_ID,
    modelId: options.modelId ?? DEFAULT_ELEVENLABS_MODEL_ID,
    timeoutMs: options.timeoutMs ?? DEFAULT_ELEVENLABS_TIMEOUT_MS,
    maxTextLength: options.maxTextLength ?? DEFAULT_ELEVENLABS_MAX_TEXT_LENGTH,
  };
}
