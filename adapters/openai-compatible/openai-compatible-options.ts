import type { JsonSchema } from '../../ports/json-schema.js';
import { turnLimitProperties } from '../brain-stream/turn-limit-options.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Sent when no key is configured: local servers (Ollama, vLLM, LM Studio) ignore it, and the SDK insists on one. */
export const PLACEHOLDER_API_KEY = 'no-key-configured';
/** Local servers may load the model on the first request, which takes a while. */
export const DEFAULT_OPENAI_COMPATIBLE_TIMEOUT_MS = 20_000;
export const DEFAULT_OPENAI_COMPATIBLE_IDLE_TIMEOUT_MS = 10_000;

/** OpenAI's reasoning models only take the newer name; most local servers only know the older one. */
export type MaxTokensParameter = 'max_tokens' | 'max_completion_tokens';

export interface OpenAiCompatibleBrainOptions {
  model: string;
  /** The server's API root, including `/v1`. */
  baseUrl?: string;
  apiKey?: string;
  maxTokens?: number;
  maxTokensParameter?: MaxTokensParameter;
  temperature?: number;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface ResolvedOpenAiCompatibleBrainOptions {
  model: string;
  baseUrl: string;
  apiKey: string | null;
  maxTokens: number | null;
  maxTokensParameter: MaxTokensParameter;
  temperature: number | null;
  timeoutMs: number;
  idleTimeoutMs: number;
}

export const openAiCompatibleBrainOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'OpenAI-compatible brain options (OpenAI, Ollama, vLLM, LM Studio …)',
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    model: {
      type: 'string',
      minLength: 1,
      description: 'Model name as the server knows it, e.g. gpt-4.1-mini on OpenAI, llama3.2 on Ollama.',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_OPENAI_BASE_URL,
      description: 'API root including /v1: https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), http://localhost:8000/v1 (vLLM), http://localhost:1234/v1 (LM Studio).',
    },
    apiKey: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'Bearer key, e.g. ${OPENAI_API_KEY}; leave it out for local servers that need none.',
    },
    maxTokens: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: 'Most tokens one reply may have; omit to leave it to the server.',
    },
    maxTokensParameter: {
      enum: ['max_tokens', 'max_completion_tokens'],
      default: 'max_tokens',
      description: 'Name under which maxTokens is sent: max_completion_tokens for OpenAI reasoning models, max_tokens for most other servers.',
    },
    temperature: {
      type: 'number',
      minimum: 0,
      maximum: 2,
      description: 'Sampling temperature; omit to use the server\'s default (some reasoning models accept no other).',
    },
    ...turnLimitProperties({ timeoutMs: DEFAULT_OPENAI_COMPATIBLE_TIMEOUT_MS, idleTimeoutMs: DEFAULT_OPENAI_COMPATIBLE_IDLE_TIMEOUT_MS }),
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveOpenAiCompatibleBrainOptions(options: OpenAiCompatibleBrainOptions): ResolvedOpenAiCompatibleBrainOptions {
  return {
    model: options.model,
    baseUrl: (options.baseUrl ?? DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, ''),
    apiKey: options.apiKey ?? null,
    maxTokens: options.maxTokens ?? null,
    maxTokensParameter: options.maxTokensParameter ?? 'max_tokens',
    temperature: options.temperature ?? null,
    timeoutMs: options.timeoutMs ?? DEFAULT_OPENAI_COMPATIBLE_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_OPENAI_COMPATIBLE_IDLE_TIMEOUT_MS,
  };
}
