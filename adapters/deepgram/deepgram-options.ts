import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_DEEPGRAM_BASE_URL = 'wss://api.deepgram.com';

export interface DeepgramOptions {
  apiKey: string;
  /** Origin of the streaming API: a regional endpoint, a self-hosted Deepgram, a proxy or a simulator. */
  baseUrl?: string;
  model?: string;
  language?: string;
  /** Silence (ms) after which Deepgram marks a result `speech_final`. */
  endpointingMs?: number;
  /** Silence (ms) after the last word before Deepgram sends `UtteranceEnd` (needs interim results). */
  utteranceEndMs?: number;
  connectTimeoutMs?: number;
}

export type ResolvedDeepgramOptions = Required<DeepgramOptions>;

export const deepgramOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Deepgram STT options',
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: {
    apiKey: { type: 'string', minLength: 1, writeOnly: true, description: 'Deepgram API key. Usually ${DEEPGRAM_API_KEY}.' },
    baseUrl: {
      type: 'string',
      pattern: '^wss?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_DEEPGRAM_BASE_URL,
      description: 'Origin of the streaming API (wss://); set it for a self-hosted Deepgram, a proxy or a local simulator.',
    },
    model: { type: 'string', minLength: 1, default: 'nova-3', description: 'Recognition model.' },
    language: { type: 'string', minLength: 2, default: 'en-US', description: 'Default language (BCP 47) when the call names none.' },
    endpointingMs: { type: 'integer', minimum: 10, maximum: 5000, default: 300, description: 'Silence that ends a caller\'s turn.' },
    utteranceEndMs: { type: 'integer', minimum: 1000, maximum: 5000, default: 1000, description: 'Gap after the last word that ends an utterance even in noise.' },
    connectTimeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, default: 5000, description: 'How long opening a stream may take.' },
  },
};

export function resolveDeepgramOptions(options: DeepgramOptions): ResolvedDeepgramOptions {
  return {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? DEFAULT_DEEPGRAM_BASE_URL).replace(/\/+$/, ''),
    model: options.model ?? 'nova-3',
    language: options.language ?? 'en-US',
    endpointingMs: options.endpointingMs ?? 300,
    utteranceEndMs: options.utteranceEndMs ?? 1000,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
  };
}
