import { DomainError, isDomainError } from '../../ports/errors.js';
import { brainRejected, brainUnavailable, scrubbed, type BrainProvider } from '../brain-stream/brain-errors.js';
import { networkErrorCode } from '../brain-stream/network-error.js';
import { AgentReplyError } from './agent-reply-error.js';

export const VOICE_TURN_PROTOCOL_HINT =
  'Answer the POST with 200 and Content-Type text/event-stream (data: {"text":"…"} events, then data: [DONE]), text/plain (the words, chunked), or application/json ({"text":"…"}).';

export function agentCallbackProvider(secret: string): BrainProvider {
  return {
    id: 'agent-callback',
    name: 'The agent\'s endpoint',
    authAdvice: 'Make the agent verify the voice turn with the signing secret it was given (Standard Webhooks headers webhook-id, webhook-timestamp, webhook-signature), and check its clock.',
    outageAdvice: 'if it persists, check that the agent\'s server is up and answers at its callback URL.',
    rejectAdvice: 'Check the agent\'s callback URL (and the pathSuffix of the brain options) and that it accepts voice.turn POSTs.',
    timeoutAdvice: 'how fast the agent starts answering, or timeoutMs and idleTimeoutMs in the brain options',
    secrets: [secret],
  };
}

/** No endpoint to call: the agent has no callback URL. A refusal, since retrying cannot help. */
export function noAgentEndpoint(agentId: string): DomainError {
  return new DomainError('PROVIDER_REJECTED', 'This agent has no callback URL, so it cannot answer voice turns itself.',
    'Set the agent\'s callback URL (and keep its signing secret), or configure another brain (anthropic, openai-compatible) for voice calls.',
    { provider: 'agent-callback', reason: 'no_agent_endpoint', agentId });
}

/** Any failure of a turn once the request was made, as the DomainError the brain port documents. */
export function agentCallbackErrorMapper(provider: BrainProvider) {
  return function toDomainError(err: unknown): DomainError {
    if (isDomainError(err)) return err;
    if (err instanceof AgentReplyError && err.problem === 'protocol') {
      return brainRejected(provider, scrubbed(provider, err.message), { reason: 'protocol' }, VOICE_TURN_PROTOCOL_HINT);
    }
    if (err instanceof AgentReplyError) return brainUnavailable(provider, err.message, { reason: 'agent_error' });
    // No HTTP answer at all, or the stream was cut: the network or the agent dropped us.
    const networkError = networkErrorCode(err);
    const reason = networkError ?? (err instanceof Error ? scrubbed(provider, err.message) : 'connection failed');
    return brainUnavailable(provider, `the connection failed (${reason})`, { networkError: networkError ?? undefined });
  };
}
