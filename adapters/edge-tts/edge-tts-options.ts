import type { JsonSchema } from '../../ports/json-schema.js';

/** Edge's Read Aloud endpoint. */
export const DEFAULT_EDGE_WSS_URL = 'wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1';
export const DEFAULT_EDGE_VOICE = 'en-US-AriaNeural';
export const DEFAULT_EDGE_TIMEOUT_MS = 20_000;
/**
 * The service takes one WebSocket message of at most 64 KiB per request; 5,000 characters stay under it
 * even when every one is escaped (`&amp;`) or is four UTF-8 bytes.
 */
export const DEFAULT_EDGE_MAX_TEXT_LENGTH = 5_000;

export interface EdgeTtsOptions {
  /** Voice used when a request names none (an Edge voice ShortName such as en-US-AriaNeural). */
  voice?: string;
  /** Another WebSocket endpoint: a proxy, or a simulator in tests. */
  wssUrl?: string;
  timeoutMs?: number;
  maxTextLength?: number;
}

export type ResolvedEdgeTtsOptions = Required<EdgeTtsOptions>;

/** ShortNames are `<lang>-<REGION>[-<variant>]-<Name>Neural`; anything else cannot be one, and must not reach the SSML. */
export const EDGE_VOICE_PATTERN = '^[a-z]{2,3}(-[A-Za-z0-9]+){2,4}$';

export const edgeTtsOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Edge text-to-speech options',
  type: 'object',
  additionalProperties: false,
  properties: {
    voice: {
      type: 'string',
      pattern: EDGE_VOICE_PATTERN,
      default: DEFAULT_EDGE_VOICE,
      description: 'Voice ShortName used when a request names none, e.g. en-US-AriaNeural, en-GB-SoniaNeural, fr-FR-DeniseNeural.',
    },
    wssUrl: {
      type: 'string',
      pattern: '^wss?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_EDGE_WSS_URL,
      description: 'WebSocket endpoint of the Read Aloud service; set it for a proxy or a local simulator.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 300_000,
      default: DEFAULT_EDGE_TIMEOUT_MS,
      description: 'How long one synthesis (connect, speak, receive all audio) may take, in milliseconds.',
    },
    maxTextLength: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
      default: DEFAULT_EDGE_MAX_TEXT_LENGTH,
      description: 'Longest text accepted in one request.',
    },
  },
};

export function resolveEdgeTtsOptions(options: EdgeTtsOptions): ResolvedEdgeTtsOptions {
  return {
    voice: options.voice ?? DEFAULT_EDGE_VOICE,
    wssUrl: options.wssUrl ?? DEFAULT_EDGE_WSS_URL,
    timeoutMs: options.timeoutMs ?? DEFAULT_EDGE_TIMEOUT_MS,
    maxTextLength: options.maxTextLength ?? DEFAULT_EDGE_MAX_TEXT_LENGTH,
  };
}
