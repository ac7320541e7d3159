import { DomainError, isDomainError } from '../../ports/errors.js';

/** The HTTP status of a refused WebSocket upgrade, as `ws` words it ("Unexpected server response: 403"). */
function upgradeStatus(err: unknown): number | null {
  const texts: string[] = [];
  for (let current: unknown = err, depth = 0; current instanceof Error && depth < 3; current = current.cause, depth += 1) texts.push(current.message);
  const match = /Unexpected server response: (\d{3})/.exec(texts.join(' '));
  return match ? Number(match[1]) : null;
}

/** Any failure of a synthesis over the Read Aloud WebSocket, as the `DomainError` the TtsPort documents. */
export function edgeErrorToDomainError(err: unknown, context: { timedOut: boolean; timeoutMs: number }): DomainError {
  if (isDomainError(err)) return err;
  if (context.timedOut) {
    return new DomainError('PROVIDER_TIMEOUT', `Edge TTS did not deliver the audio within ${context.timeoutMs} ms.`,
      'Retry, with shorter text if it is long; raise timeoutMs in the tts options if this keeps happening.',
      { provider: 'edge', timeoutMs: context.timeoutMs });
  }
  const status = upgradeStatus(err);
  if (status === 403) {
    // Edge has no account: a 403 means its time-based Sec-MS-GEC token was refused.
    return new DomainError('PROVIDER_AUTH_FAILED', 'Edge TTS refused the connection token (HTTP 403).',
      'Check that the server clock is right (the token is time-based) and update agentos-comms (EDGE_VERSION in read-aloud-connection.ts); Microsoft changes what it accepts from time to time.',
      { provider: 'edge', providerStatus: 403 });
  }
  if (status === 429) {
    return new DomainError('RATE_LIMITED', 'Edge TTS asked us to slow down (HTTP 429).',
      'Wait a little, then try again with fewer requests at once.', { provider: 'edge', providerStatus: 429 });
  }
  return new DomainError('PROVIDER_UNAVAILABLE', `Could not get audio from Edge TTS${status !== null ? ` (HTTP ${status})` : ''}.`,
    'Retry in a little while; if it persists, check the network and the wssUrl of the tts options.',
    { provider: 'edge', providerStatus: status ?? undefined, reason: err instanceof Error ? err.message.slice(0, 200) : undefined });
}
