import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '../../../ports/errors.js';
import type { OAuthIssuerSettings } from '../../config/oauth-settings.js';

const FETCH_TIMEOUT_MS = 5000;
/** A failed discovery is not retried before this: tokens naming an unreachable issuer must not each cost a fetch. */
const RETRY_AFTER_MS = 30_000;

export function issuerUnavailable(issuer: string): DomainError {
  return new DomainError(
    'AUTHORIZATION_SERVER_UNAVAILABLE',
    'The signing keys of the access token\'s issuer could not be fetched; the token was not checked.',
    'Retry in a minute. Operator: check that the issuer\'s metadata and JWKS (auth.oauth.issuers[].issuer / jwksUri) are reachable from this server.',
    { issuer },
  );
}

/** RFC 8414 §3.1 (well-known part inserted before the issuer's path), then OpenID Connect Discovery (appended). */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

async function discoverJwksUri(issuer: string): Promise<string> {
  for (const url of metadataUrls(issuer)) {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
      if (!response.ok) continue;
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: metadata naming another issuer is not this issuer's (a mix-up or a wrong URL).
      if (metadata.issuer === issuer && typeof metadata.jwks_uri === 'string') return metadata.jwks_uri;
    } catch {
      // Unreachable, not JSON, timed out: try the other document.
    }
  }
  throw issuerUnavailable(issuer);
}

/**
 * The signing keys of each configured issuer, as jose remote key sets (which cache the JWKS and refetch it
 * when a token names an unknown key id, rate-limited). The JWKS URL is configured or discovered once.
 */
export class IssuerKeys {
  private readonly entries = new Map<string, { keys: Promise<JWTVerifyGetKey>; failedAt?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  keysOf(issuer: OAuthIssuerSettings): Promise<JWTVerifyGetKey> {
    const known = this.entries.get(issuer.issuer);
    if (known && (known.failedAt === undefined || this.now() - known.failedAt < RETRY_AFTER_MS)) return known.keys;
    const entry: { keys: Promise<JWTVerifyGetKey>; failedAt?: number } = {
      keys: (issuer.jwksUri ? Promise.resolve(issuer.jwksUri) : discoverJwksUri(issuer.issuer))
        .then((uri) => createRemoteJWKSet(new URL(uri), { timeoutDuration: FETCH_TIMEOUT_MS })),
    };
    entry.keys.catch(() => { entry.failedAt = this.now(); });
    this.entries.set(issuer.issuer, entry);
    return entry.keys;
  }
}
