import Anthropic from '@anthropic-ai/sdk';
import type { BrainCapabilities, BrainPort, BrainRequest } from '../../ports/brain.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import { brainTimeout, type BrainProvider } from '../brain-stream/brain-errors.js';
import { guardedReply } from '../brain-stream/guarded-reply.js';
import { sdkLogger } from '../brain-stream/sdk-logger.js';
import { listedModel } from '../model-listing/listed-model.js';
import { anthropicErrorMapper, anthropicProvider } from './anthropic-error-mapping.js';
import { anthropicConversation } from './anthropic-messages.js';
import { resolveAnthropicBrainOptions, type AnthropicBrainOptions, type ResolvedAnthropicBrainOptions } from './anthropic-options.js';

/** Claude through the Messages API, streamed: each text delta is a chunk of the spoken reply. */
export class AnthropicBrain implements BrainPort, CredentialCheck {
  readonly capabilities: BrainCapabilities = { streaming: true };
  private readonly options: ResolvedAnthropicBrainOptions;
  private readonly client: Anthropic;
  private readonly provider: BrainProvider;
  private readonly toDomainError: (err: unknown) => DomainError;

  constructor(options: AnthropicBrainOptions, ctx: PluginContext) {
    this.options = resolveAnthropicBrainOptions(options);
    // Our own deadlines are shorter; the SDK's only backs them up while it waits for the response headers.
    const sdkTimeoutMs = this.options.timeoutMs + 5_000;
    this.client = new Anthropic({
      apiKey: this.options.apiKey,
      baseURL: this.options.baseUrl,
      // A retry would double the caller's wait on a live call; the voice loop decides what to do instead.
      maxRetries: 0,
      timeout: sdkTimeoutMs,
      logger: sdkLogger(ctx.logger, 'anthropic'),
    });
    this.provider = anthropicProvider(this.options.apiKey);
    this.toDomainError = anthropicErrorMapper(this.provider, () => ctx.clock.now(), sdkTimeoutMs);
  }

  reply(request: BrainRequest): AsyncIterable<string> {
    return guardedReply({
      signal: request.signal,
      timeoutMs: this.options.timeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      open: (signal) => this.stream(request, signal),
      toDomainError: this.toDomainError,
      timeoutError: (timeout) => brainTimeout(this.provider, timeout),
    });
  }

  /** Lists the models: free (no tokens), and refused with 401 when the key is wrong; notes whether the configured model is listed. */
  async checkCredentials(): Promise<string> {
    try {
      const page = await this.client.models.list();
      const model = listedModel(page.data.map((m) => m.id), this.options.model);
      return `API key accepted, ${model}`;
    } catch (err) {
      throw this.toDomainError(err);
    }
  }

  async close(): Promise<void> {}

  private async *stream(request: BrainRequest, signal: AbortSignal): AsyncGenerator<string> {
    const { system, messages } = anthropicConversation(request);
    const events = await this.client.messages.create(
      {
        model: this.options.model,
        max_tokens: this.options.maxTokens,
        ...(system !== undefined ? { system } : {}),
        messages,
        stream: true,
      },
      { signal },
    );
    for await (const event of events) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') yield event.delta.text;
    }
  }
}
