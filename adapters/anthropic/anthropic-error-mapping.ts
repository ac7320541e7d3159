import { APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import type { DomainError } from '../../ports/errors.js';
import {
  brainAuthFailed, brainHttpError, brainRateLimited, brainRejected, brainTimeout, brainUnavailable, scrubbed, type BrainProvider,
} from '../brain-stream/brain-errors.js';
import { networkErrorCode } from '../brain-stream/network-error.js';
import { retryAfterSeconds } from '../brain-stream/retry-after.js';

export function anthropicProvider(apiKey: string): BrainProvider {
  return {
    id: 'anthropic',
    name: 'Anthropic',
    authAdvice: 'Check the apiKey of the brain options (ANTHROPIC_API_KEY) and that the key is active in the Claude Console.',
    outageAdvice: 'if it persists, check https://status.claude.com or switch the brain to another model.',
    rejectAdvice: 'Check the model and maxTokens of the brain options.',
    timeoutAdvice: 'timeoutMs or idleTimeoutMs in the brain options',
    secrets: [apiKey],
  };
}

/** `error.message` of an Anthropic error body (`{"type":"error","error":{"type":…,"message":…}}`). */
function apiMessage(err: APIError): string | null {
  if (err.apiMessage) return err.apiMessage;
  const body = err.error as { error?: { message?: unknown } } | undefined;
  return typeof body?.error?.message === 'string' ? body.error.message : null;
}

/** Any failure of a streamed Messages request, as the DomainError the brain port documents. */
export function anthropicErrorMapper(provider: BrainProvider, now: () => Date, sdkTimeoutMs: number) {
  return function toDomainError(err: unknown): DomainError {
    if (err instanceof APIConnectionTimeoutError) return brainTimeout(provider, { phase: 'first-token', afterMs: sdkTimeoutMs });
    if (err instanceof APIError && typeof err.status === 'number') {
      return brainHttpError(provider, {
        status: err.status, waitSeconds: retryAfterSeconds(err.headers, now()), providerType: err.type, providerMessage: apiMessage(err),
      });
    }
    if (err instanceof APIError && err.type) {
      // An `event: error` in the middle of the stream: no HTTP status, only Anthropic's error type.
      const details = { providerType: err.type, midStream: true };
      if (err.type === 'rate_limit_error') return brainRateLimited(provider, null, details);
      if (err.type === 'authentication_error' || err.type === 'permission_error') return brainAuthFailed(provider, details);
      if (err.type === 'invalid_request_error') return brainRejected(provider, scrubbed(provider, apiMessage(err) ?? err.type), details);
      return brainUnavailable(provider, `the reply broke off (${err.type})`, details);
    }
    // No HTTP answer at all, or the stream was cut: the network or Anthropic dropped us.
    const networkError = networkErrorCode(err);
    const reason = networkError ?? (err instanceof Error ? scrubbed(provider, err.message) : 'connection failed');
    return brainUnavailable(provider, `the connection failed (${reason})`, { networkError: networkError ?? undefined });
  };
}
