import { randomBytes } from 'node:crypto';
import { anthropicDialect } from './anthropic-dialect.js';
import { LlmSimulator, type LlmSimulatorOptions } from './llm-simulator.js';

export interface AnthropicSimulatorOptions extends LlmSimulatorOptions {
  /** Default: random `sk-ant-api03-…`. */
  apiKey?: string;
  /** Models the account can use; any other gets 404 not_found_error. Default: any. */
  models?: readonly string[];
}

/** A loopback stand-in for Anthropic's Messages API. */
export class AnthropicSimulator extends LlmSimulator {
  readonly apiKey: string;

  constructor(options: AnthropicSimulatorOptions = {}) {
    const apiKey = options.apiKey ?? `sk-ant-api03-${randomBytes(24).toString('hex')}`;
    super(anthropicDialect({ apiKey, models: options.models }), options);
    this.apiKey = apiKey;
  }

  /** The SDK's `baseURL`: the origin, without `/v1`. */
  get baseUrl(): string {
    return this.origin;
  }
}
