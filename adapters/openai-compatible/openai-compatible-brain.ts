import OpenAI from 'openai';
import type { BrainCapabilities, BrainPort, BrainRequest } from '../../ports/brain.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import { brainTimeout, type BrainProvider } from '../brain-stream/brain-errors.js';
import { guardedReply } from '../brain-stream/guarded-reply.js';
import { sdkLogger } from '../brain-stream/sdk-logger.js';
import { listedModel } from '../model-listing/listed-model.js';
import { openAiCompatibleErrorMapper, openAiCompatibleProvider } from './openai-compatible-error-mapping.js';
import { chatMessages } from './openai-compatible-messages.js';
import {
  PLACEHOLDER_API_KEY, resolveOpenAiCompatibleBrainOptions, type OpenAiCompatibleBrainOptions, type ResolvedOpenAiCompatibleBrainOptions,
} from './openai-compatible-options.js';

/** Any server that speaks OpenAI's Chat Completions with streaming: OpenAI itself, Ollama, vLLM, LM Studio … */
export class OpenAiCompatibleBrain implements BrainPort, CredentialCheck {
  readonly capabilities: BrainCapabilities = { streaming: true };
  private readonly options: ResolvedOpenAiCompatibleBrainOptions;
  private readonly client: OpenAI;
  private readonly provider: BrainProvider;
  private readonly toDomainError: (err: unknown) => DomainError;

  constructor(options: OpenAiCompatibleBrainOptions, ctx: PluginContext) {
    this.options = resolveOpenAiCompatibleBrainOptions(options);
    // Our own deadlines are shorter; the SDK's only backs them up while it waits for the response headers.
    const sdkTimeoutMs = this.options.timeoutMs + 5_000;
    this.client = new OpenAI({
      apiKey: this.options.apiKey ?? PLACEHOLDER_API_KEY,
      baseURL: this.options.baseUrl,
      // Explicit nulls keep OPENAI_ORG_ID and friends from the environment out of requests to other servers.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      // A retry would double the caller's wait on a live call; the voice loop decides what to do instead.
      maxRetries: 0,
      timeout: sdkTimeoutMs,
      logger: sdkLogger(ctx.logger, 'openai-compatible'),
    });
    this.provider = openAiCompatibleProvider(this.options.baseUrl, this.options.apiKey);
    this.toDomainError = openAiCompatibleErrorMapper(this.provider, () => ctx.clock.now(), sdkTimeoutMs);
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
      return `${this.options.apiKey !== null ? 'API key accepted' : 'no API key configured; the server answers'}, ${model}`;
    } catch (err) {
      throw this.toDomainError(err);
    }
  }

  async close(): Promise<void> {}

  private async *stream(request: BrainRequest, signal: AbortSignal): AsyncGenerator<string> {
    const { maxTokens, maxTokensParameter, temperature } = this.options;
    const chunks = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages: chatMessages(request),
        stream: true,
        ...(maxTokens !== null ? { [maxTokensParameter]: maxTokens } : {}),
        ...(temperature !== null ? { temperature } : {}),
      },
      { signal },
    );
    for await (const chunk of chunks) {
      const text = chunk.choices[0]?.delta?.content;
      if (typeof text === 'string') yield text;
    }
  }
}
