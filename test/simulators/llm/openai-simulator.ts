import { randomBytes } from 'node:crypto';
import { LlmSimulator, type LlmSimulatorOptions } from './llm-simulator.js';
import { openAiDialect } from './openai-dialect.js';

export interface OpenAiSimulatorOptions extends LlmSimulatorOptions {
  /** The Bearer key required; null for a local server that takes any (Ollama, vLLM, LM Studio). Default: random `sk-sim-…`. */
  apiKey?: string | null;
  /** Models served; any other gets 404 model_not_found. Default: any. */
  models?: readonly string[];
}

/** A loopback stand-in for OpenAI's Chat Completions API (and for servers that copy it). */
export class OpenAiSimulator extends LlmSimulator {
  readonly apiKey: string | null;

  constructor(options: OpenAiSimulatorOptions = {}) {
    const apiKey = options.apiKey === undefined ? `sk-sim-${randomBytes(20).toString('hex')}` : options.apiKey;
    super(openAiDialect({ apiKey, models: options.models }), options);
    this.apiKey = apiKey;
  }

  /** The SDK's `baseURL`: the origin plus `/v1`. */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }
}
