import type { JsonSchema } from '../../ports/json-schema.js';
import { turnLimitProperties } from '../brain-stream/turn-limit-options.js';

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
/**
 * A current model that the installed SDK does not list as deprecated (claude-sonnet-4-5 reaches end-of-life on
 * 30 November 2026 and makes the SDK warn on every request). claude-haiku-5-5 answers faster, if latency matters more.
 */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-5-5';
/** Spoken replies are a few sentences; a cap keeps a runaway answer from holding the line. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 512;
export const DEFAULT_ANTHROPIC_TIMEOUT_MS = 10_000;
export const DEFAULT_ANTHROPIC_IDLE_TIMEOUT_MS = 5_000;

export interface AnthropicBrainOptions {
  apiKey: string;
  /** Another origin for the API: a proxy, a gateway, or a simulator in tests. */
  baseUrl?: string;
  model?: string;
  maxTokens?: number;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

export type ResolvedAnthropicBrainOptions = Required<AnthropicBrainOptions>;

export const anthropicBrainOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Anthropic (Claude) brain options',
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: {
    apiKey: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'Anthropic API key, from the Claude Console. Usually ${ANTHROPIC_API_KEY}.',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_ANTHROPIC_BASE_URL,
      description: 'Origin of the Messages API (without /v1); set it for a proxy, a gateway or a local simulator.',
    },
    model: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_ANTHROPIC_MODEL,
      description: 'Claude model id, e.g. claude-sonnet-5-5, or claude-haiku-5-5 for the lowest latency.',
    },
    maxTokens: {
      type: 'integer',
      minimum: 1,
      maximum: 64_000,
      default: DEFAULT_ANTHROPIC_MAX_TOKENS,
      description: 'Most tokens one reply may have (max_tokens).',
    },
    ...turnLimitProperties({ timeoutMs: DEFAULT_ANTHROPIC_TIMEOUT_MS, idleTimeoutMs: DEFAULT_ANTHROPIC_IDLE_TIMEOUT_MS }),
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveAnthropicBrainOptions(options: AnthropicBrainOptions): ResolvedAnthropicBrainOptions {
  return {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL).replace(/\/+$/, ''),
    model: options.model ?? DEFAULT_ANTHROPIC_MODEL,
    maxTokens: options.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    timeoutMs: options.timeoutMs ?? DEFAULT_ANTHROPIC_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_ANTHROPIC_IDLE_TIMEOUT_MS,
  };
}
