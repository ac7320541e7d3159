import { ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { DomainError, isDomainError, type ErrorDetails } from '../../ports/errors.js';

/** `detail.status` and `detail.message` of an ElevenLabs error body (`{"detail":{"status":…,"message":…}}`). */
function detailOf(body: unknown): { status: string | null; message: string | null } {
  const detail = (body as { detail?: unknown } | null | undefined)?.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { status: null, message: null };
  const { status, message } = detail as { status?: unknown; message?: unknown };
  return { status: typeof status === 'string' ? status : null, message: typeof message === 'string' ? message : null };
}

function retryAfterSeconds(err: ElevenLabsError): number | null {
  const value = err.rawResponse?.headers.get('retry-after');
  return value && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

/**
 * Builds the error mapping of one adapter instance. `timedOut` tells whether our own deadline aborted the
 * call: the SDK reports that, and its own timeout, as a status-less ElevenLabsError.
 */
export function elevenLabsErrorMapper(apiKey: string, timeoutMs: number) {
  const scrub = (text: string) => (apiKey ? text.split(apiKey).join('[redacted]') : text).slice(0, 300);

  function timeout(): DomainError {
    return new DomainError(
      'PROVIDER_TIMEOUT',
      `ElevenLabs did not deliver the audio within ${timeoutMs} ms.`,
      'Retry, with shorter text if it is long; raise timeoutMs in the tts options if this keeps happening.',
      { provider: 'elevenlabs', timeoutMs },
    );
  }

  function fromStatus(err: ElevenLabsError, statusCode: number, voice: string): DomainError {
    const { status, message } = detailOf(err.body);
    const details: ErrorDetails = { provider: 'elevenlabs', providerStatus: statusCode, providerCode: status };
    const says = message ? scrub(message) : `HTTP ${statusCode}`;
    if (status === 'voice_not_found') {
      return new DomainError('UNKNOWN_VOICE', `ElevenLabs has no voice "${voice.slice(0, 80)}" in this account.`,
        'Use a voice id from GET /v1/voices of this account (or the voice library), or omit the voice to use the configured default.',
        { ...details, voice: voice.slice(0, 80) });
    }
    if (status === 'quota_exceeded') {
      return new DomainError('PROVIDER_REJECTED', `ElevenLabs refused: ${says}`,
        'The ElevenLabs account is out of characters: add credits or upgrade the plan; retrying will not help before that.', details);
    }
    if (statusCode === 401 || statusCode === 403) {
      return new DomainError('PROVIDER_AUTH_FAILED', `ElevenLabs refused the API key (HTTP ${statusCode}${status ? `, ${status}` : ''}).`,
        'Check the apiKey of the tts options (ELEVENLABS_API_KEY) and that the key may use text-to-speech; retrying will not help until it is fixed.', details);
    }
    if (statusCode === 429) {
      const wait = retryAfterSeconds(err);
      return new DomainError('RATE_LIMITED', `ElevenLabs asked us to slow down (${status ?? 'HTTP 429'}).`,
        wait !== null ? `Wait ${wait} seconds, then try again.` : 'Wait a few seconds, then try again with fewer requests at once (the plan limits concurrent requests).',
        { ...details, retryAfterSeconds: wait ?? undefined });
    }
    if (statusCode >= 500) {
      return new DomainError('PROVIDER_UNAVAILABLE', `ElevenLabs is failing (HTTP ${statusCode}).`,
        'Retry in a little while; if it persists, check https://status.elevenlabs.io.', details);
    }
    return new DomainError('PROVIDER_REJECTED', `ElevenLabs refused the request: ${says}`,
      'Fix the request (text, voice or the modelId option) before trying again; sending it unchanged will fail the same way.', details);
  }

  /** Any failure of a synthesis, as the `DomainError` the TtsPort documents. */
  return function toDomainError(err: unknown, context: { voice: string; timedOut: boolean }): DomainError {
    if (isDomainError(err)) return err;
    if (context.timedOut || err instanceof ElevenLabsTimeoutError) return timeout();
    if (err instanceof ElevenLabsError && typeof err.statusCode === 'number') return fromStatus(err, err.statusCode, context.voice);
    if (err instanceof ElevenLabsError && err.cause === 'timeout') return timeout();
    // No HTTP answer at all, or the audio stream broke off: the network or ElevenLabs dropped us.
    const reason = err instanceof Error ? scrub(err.message) : 'connection failed';
    return new DomainError('PROVIDER_UNAVAILABLE', `Could not get audio from ElevenLabs (${reason}).`,
      'Retry in a little while; if it persists, check the network and the baseUrl of the tts options.',
      { provider: 'elevenlabs', reason });
  };
}
