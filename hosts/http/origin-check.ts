import { DomainError } from '../../ports/errors.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * DNS-rebinding protection for /mcp. A page of another site that rebinds its name to this server's
 * address sends its own name as Host and as Origin, so "Origin matches Host" alone proves nothing: an
 * Origin passes only when it is the server's own (publicBaseUrl, or a loopback name at the Host the
 * request names, which a rebinding page cannot produce) or listed in `server.mcp.allowedOrigins`.
 * Requests without Origin come from clients that are not browsers and pass.
 */
export function checkOrigin(origin: string | undefined, host: string | undefined, publicBaseUrl: string, allowed: readonly string[]): void {
  if (origin === undefined) return;
  const parsed = originOf(origin);
  if (parsed !== null) {
    const url = new URL(parsed);
    const ownLoopback = LOOPBACK_NAMES.has(url.hostname) && url.host === host;
    if (ownLoopback || parsed === originOf(publicBaseUrl) || allowed.some((a) => originOf(a) === parsed)) return;
  }
  throw new DomainError(
    'ORIGIN_NOT_ALLOWED',
    'This Origin may not call the MCP endpoint.',
    'Browser apps need their origin listed in server.mcp.allowedOrigins; clients that are not browsers send no Origin header.',
    { origin: parsed ?? 'invalid' },
  );
}
