import { APIConnectionTimeoutError, APIError } from 'openai';
import type { DomainError } from '../../ports/errors.js';
import {
  brainAuthFailed, brainHttpError, brainRateLimited, brainRejected, brainTimeout, brainUnavailable, scrubbed, type BrainProvider,
} from '../brain-stream/brain-errors.js';
import { networkErrorCode } from '../brain-stream/network-error.js';
import { retryAfterSeconds } from '../brain-stream/retry-after.js';

export function openAiCompatibleProvider(baseUrl: string, apiKey: string | null): BrainProvider {
  const host = hostOf(baseUrl);
  return {
    id: 'openai-compatible',
    name: `The model server at ${host}`,
    authAdvice: 'Check the apiKey of the brain options (e.g. OPENAI_API_KEY) and that it is valid for this server.',
    outageAdvice: `if it persists, check that the server at ${host} is running and has the model loaded.`,
    rejectAdvice: 'Check the model, maxTokens, maxTokensParameter and temperature of the brain options against what the server accepts.',
    timeoutAdvice: 'timeoutMs or idleTimeoutMs in the brain options',
    secrets: apiKey ? [apiKey] : [],
  };
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the configured baseUrl';
  }
}

/** `message` of an OpenAI error object (`{"error":{"message":…,"type":…,"code":…}}`, already unwrapped by the SDK). */
function errorMessage(err: APIError): string | null {
  const message = (err.error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : null;
}

/** Any failure of a streamed chat completion, as the DomainError the brain port documents. */
export function openAiCompatibleErrorMapper(provider: BrainProvider, now: () => Date, sdkTimeoutMs: number) {
  return function toDomainError(err: unknown): DomainError {
    if (err instanceof APIConnectionTimeoutError) return brainTimeout(provider, { phase: 'first-token', afterMs: sdkTimeoutMs });
    if (err instanceof APIError && typeof err.status === 'number') {
      return brainHttpError(provider, {
        status: err.status, waitSeconds: retryAfterSeconds(err.headers, now()), providerType: err.code ?? err.type ?? null, providerMessage: errorMessage(err),
      });
    }
    if (err instanceof APIError && err.error) {
      // `data: {"error":…}` in the middle of the stream: no HTTP status, only the error object.
      const kind = String(err.code ?? err.type ?? 'error');
      const details = { providerType: kind, midStream: true };
      if (kind === 'rate_limit_exceeded' || err.type === 'requests' || err.type === 'tokens') return brainRateLimited(provider, null, details);
      if (kind === 'invalid_api_key') return brainAuthFailed(provider, details);
      if (err.type === 'invalid_request_error') return brainRejected(provider, scrubbed(provider, errorMessage(err) ?? kind), details);
      return brainUnavailable(provider, `the reply broke off (${scrubbed(provider, kind)})`, details);
    }
    // No HTTP answer at all, or the stream was cut: the network or the server dropped us.
    const networkError = networkErrorCode(err);
    const reason = networkError ?? (err instanceof Error ? scrubbed(provider, err.message) : 'connection failed');
    return brainUnavailable(provider, `the connection failed (${reason})`, { networkError: networkError ?? undefined });
  };
}
