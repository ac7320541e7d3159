import { APIConnectionTimeoutError, APIError } from 'openai';
import { DomainError } from '../../ports/errors.js';
import { networkErrorCode } from '../brain-stream/network-error.js';

/** A failed speech request as the TTS port's codes; `voice` is what was asked for. */
export function openAiTtsError(err: unknown, context: { voice: string; apiKey: string | null; timedOut: boolean; timeoutMs: number }): DomainError {
  const provider = 'openai';
  const scrub = (text: string): string => (context.apiKey ? text.replaceAll(context.apiKey, '[redacted]') : text).slice(0, 200);
  if (context.timedOut || err instanceof APIConnectionTimeoutError) {
    return new DomainError('PROVIDER_TIMEOUT', `The speech server did not answer within ${context.timeoutMs} ms.`, 'Retry, or raise timeoutMs in the tts options.', { provider, timeoutMs: context.timeoutMs });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const details = { provider, providerStatus: status, providerCode: err.code ?? null };
    const message = scrub(String((err.error as { message?: unknown } | undefined)?.message ?? err.message));
    if (status === 401 || status === 403) return new DomainError('PROVIDER_AUTH_FAILED', 'The speech server refused the API key.', 'Check apiKey of the tts options (OPENAI_API_KEY).', details);
    if (status === 429) return new DomainError('RATE_LIMITED', 'The speech server asked to slow down.', 'Retry in a little while.', details);
    if (status === 400 && (err.param === 'voice' || /voice/i.test(message))) {
      return new DomainError('UNKNOWN_VOICE', `The speech server does not offer the voice "${context.voice.slice(0, 80)}".`, 'Use one of its voices (OpenAI: alloy, ash, coral, echo, fable, nova, onyx, sage, shimmer).', { ...details, voice: context.voice.slice(0, 80) });
    }
    if (status >= 400 && status < 500) return new DomainError('PROVIDER_REJECTED', `The speech server refused the request: ${message}`, 'Check model and voice of the tts options.', details);
    return new DomainError('PROVIDER_UNAVAILABLE', `The speech server failed (HTTP ${status}).`, 'Retry; if it persists, check the server at baseUrl.', details);
  }
  const network = networkErrorCode(err);
  return new DomainError('PROVIDER_UNAVAILABLE', `The speech server could not be reached (${network ?? (err instanceof Error ? scrub(err.message) : 'connection failed')}).`,
    'Retry; if it persists, check baseUrl of the tts options and that the server runs.', { provider, networkError: network ?? undefined });
}
