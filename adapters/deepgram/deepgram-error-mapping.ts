import { DomainError } from '../../ports/errors.js';

const UPGRADE_STATUS = /Unexpected server response: (\d{3})/;

/** Why a stream could not be opened, from the SDK's socket error (the refused upgrade's status is in its message). */
export function deepgramOpenError(err: unknown, secret: string, timedOut: boolean, timeoutMs: number): DomainError {
  const scrub = (text: string): string => (secret ? text.replaceAll(secret, '[redacted]') : text);
  const message = err instanceof Error ? scrub(err.message).slice(0, 200) : 'unknown failure';
  if (timedOut) {
    return new DomainError('PROVIDER_TIMEOUT', `Deepgram did not open the stream within ${timeoutMs} ms.`, 'Retry; if it persists, check the network path to Deepgram or raise connectTimeoutMs in the stt options.', { provider: 'deepgram', timeoutMs });
  }
  const status = Number(UPGRADE_STATUS.exec(message)?.[1] ?? 0);
  if (status === 401 || status === 403) {
    return new DomainError('PROVIDER_AUTH_FAILED', 'Deepgram refused the API key.', 'Check stt.options.apiKey (DEEPGRAM_API_KEY) and that the key may use live transcription.', { provider: 'deepgram', providerStatus: status });
  }
  if (status === 429) {
    return new DomainError('RATE_LIMITED', 'Deepgram refused the stream: too many concurrent requests.', 'Retry shortly, or raise the concurrency limit of the Deepgram project.', { provider: 'deepgram', providerStatus: status });
  }
  if (status >= 400 && status < 500) {
    return new DomainError('PROVIDER_REJECTED', `Deepgram refused the stream's settings (HTTP ${status}).`, 'Check model, language and the other stt options.', { provider: 'deepgram', providerStatus: status });
  }
  return new DomainError('PROVIDER_UNAVAILABLE', `Deepgram could not be reached (${message}).`, 'Retry; if it persists, check baseUrl of the stt options and the network.', { provider: 'deepgram', ...(status ? { providerStatus: status } : {}) });
}

/** Why the credential check (the key's projects, over REST) failed: a refused key, or no answer. */
export function deepgramCheckError(err: unknown, secret: string): DomainError {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status === 401 || status === 403) {
    return new DomainError('PROVIDER_AUTH_FAILED', 'Deepgram refused the API key.', 'Check stt.options.apiKey (DEEPGRAM_API_KEY); retrying will not help until it is fixed.', { provider: 'deepgram', providerStatus: status });
  }
  const message = err instanceof Error ? (secret ? err.message.replaceAll(secret, '[redacted]') : err.message).slice(0, 200) : 'unknown failure';
  return new DomainError('PROVIDER_UNAVAILABLE', `Deepgram did not answer the projects lookup (${typeof status === 'number' ? `HTTP ${status}` : message}).`,
    'Retry; if it persists, check baseUrl of the stt options and the network.', { provider: 'deepgram', ...(typeof status === 'number' ? { providerStatus: status } : {}) });
}

/** The stream ended without our asking (dropped connection, server error close). */
export function deepgramStreamLost(code: number): DomainError {
  return new DomainError('PROVIDER_UNAVAILABLE', `The Deepgram stream ended unexpectedly (close code ${code}).`, 'Open a new stream; the words of the last moments may be lost.', { provider: 'deepgram', closeCode: code });
}
