import type { BrainCapabilities, BrainPort, BrainRequest } from '../../ports/brain.js';
import type { PluginContext } from '../../ports/plugin.js';
import { brainHttpError, brainRejected, brainTimeout } from '../brain-stream/brain-errors.js';
import { guardedReply } from '../brain-stream/guarded-reply.js';
import { retryAfterSeconds } from '../brain-stream/retry-after.js';
import { agentCallbackErrorMapper, agentCallbackProvider, noAgentEndpoint } from './agent-callback-error-mapping.js';
import {
  resolveAgentCallbackBrainOptions, type AgentCallbackBrainOptions, type ResolvedAgentCallbackBrainOptions,
} from './agent-callback-options.js';
import { agentReplyText } from './agent-reply-stream.js';
import { signedVoiceTurn, voiceTurnUrl } from './voice-turn-request.js';

/**
 * The agent answers each turn itself: the turn is POSTed, signed, to the agent's callback URL, and the agent
 * streams its words back. For agents that keep their own model, tools and memory.
 */
export class AgentCallbackBrain implements BrainPort {
  readonly capabilities: BrainCapabilities = { streaming: true };
  private readonly options: ResolvedAgentCallbackBrainOptions;

  constructor(
    options: AgentCallbackBrainOptions,
    private readonly ctx: PluginContext,
  ) {
    this.options = resolveAgentCallbackBrainOptions(options);
  }

  reply(request: BrainRequest): AsyncIterable<string> {
    const endpoint = request.agentEndpoint;
    if (!endpoint) return failing(noAgentEndpoint(request.agentId), request.signal);
    const provider = agentCallbackProvider(endpoint.secret);
    return guardedReply({
      signal: request.signal,
      timeoutMs: this.options.timeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      open: (signal) => this.stream(request, endpoint, signal),
      toDomainError: agentCallbackErrorMapper(provider),
      timeoutError: (timeout) => brainTimeout(provider, timeout),
    });
  }

  async close(): Promise<void> {}

  private async *stream(request: BrainRequest, endpoint: { url: string; secret: string }, signal: AbortSignal): AsyncGenerator<string> {
    const provider = agentCallbackProvider(endpoint.secret);
    const url = voiceTurnUrl(endpoint.url, this.options.pathSuffix);
    if (!url) {
      throw brainRejected(provider, 'the callback URL is not an http(s) URL', { reason: 'invalid_callback_url' },
        'Set the agent\'s callback URL to an http:// or https:// address.');
    }
    const { body, headers } = signedVoiceTurn(request, { id: this.ctx.ids.next('turn'), timestamp: this.ctx.clock.now(), secret: endpoint.secret });
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      // A redirect would resend the signed turn somewhere the agent did not name.
      redirect: 'manual',
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel().catch(() => {});
      throw brainHttpError(provider, {
        status: response.status, waitSeconds: retryAfterSeconds(response.headers, this.ctx.clock.now()), providerType: null, providerMessage: null,
      });
    }
    yield* agentReplyText(response);
  }
}

/** A reply that fails on first read, as every other failure of a turn does (an aborted turn just ends). */
async function* failing(error: Error, signal: AbortSignal): AsyncGenerator<string> {
  if (signal.aborted) return;
  throw error;
}
