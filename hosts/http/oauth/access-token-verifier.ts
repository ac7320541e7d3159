import { errors, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../../../ports/errors.js';
import type { OAuthIssuerSettings, OAuthSettings } from '../../config/oauth-settings.js';
import { IssuerKeys, issuerUnavailable } from './issuer-keys.js';
import { unverifiedJwt } from './jwt-shape.js';

/**
 * Whom a verified access token acts for. Customers (tenants) will be a third kind, mapped from a customer
 * claim in `principalOf` below; core then needs a matching Caller kind.
 */
export type TokenPrincipal = { kind: 'admin' } | { kind: 'agent'; agentId: string };

export interface VerifiedAccessToken {
  issuer: string;
  principal: TokenPrincipal;
}

type Reason = 'malformed' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid' | 'algorithm' | 'signature';

const REASONS: Record<Reason, string> = {
  malformed: 'it is not a well-formed JWT',
  issuer: 'its issuer is not one this server accepts',
  audience: 'it was issued for another resource than this server',
  expired: 'it has expired',
  'not-yet-valid': 'it is not valid yet',
  algorithm: 'its signing algorithm is not accepted',
  signature: 'its signature does not verify with the issuer\'s keys',
};

/** A refused token: UNAUTHORIZED, so it answers 401 invalid_token and counts towards the address's lockout. */
function invalid(reason: Reason, resource: string): DomainError {
  return new DomainError(
    'UNAUTHORIZED',
    `The access token was refused: ${REASONS[reason]}.`,
    `Get a new access token for the resource ${resource} from the authorization server named in its protected resource metadata.`,
    { reason },
  );
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const scp = Array.isArray(payload.scp) ? payload.scp.filter((s): s is string => typeof s === 'string') : [];
  return new Set([...scope, ...scp].filter(Boolean));
}

function claimHas(value: unknown, wanted: string): boolean {
  return Array.isArray(value) ? value.includes(wanted) : value === wanted;
}

/** Admin when the admin claim holds the admin value, else the agent named by the agent claim. */
function principalOf(payload: JWTPayload, issuer: OAuthIssuerSettings): TokenPrincipal {
  if (issuer.adminClaim && issuer.adminValue && claimHas(payload[issuer.adminClaim], issuer.adminValue)) return { kind: 'admin' };
  const agentId = payload[issuer.agentClaim];
  if (typeof agentId === 'string' && agentId.length > 0) return { kind: 'agent', agentId };
  throw new DomainError(
    'TOKEN_NOT_MAPPED',
    `The access token is valid but has no "${issuer.agentClaim}" claim naming an agent.`,
    `Ask the operator to have the authorization server put the agent id in the "${issuer.agentClaim}" claim (auth.oauth.issuers[].agentClaim).`,
    { claim: issuer.agentClaim },
  );
}

/** jose's refusals, by kind; anything else (network, timeout) is the issuer being unreachable. */
function reasonOf(err: unknown): Reason | null {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return err.claim === 'nbf' ? 'not-yet-valid' : err.claim === 'aud' ? 'audience' : err.claim === 'iss' ? 'issuer' : 'malformed';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSMultipleMatchingKeys) return 'signature';
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid || err instanceof errors.JOSENotSupported) return 'malformed';
  return null;
}

/**
 * Verifies JWT access tokens (RFC 9068) from the configured issuers. The cheap checks come first, on the
 * token as read locally: a configured issuer, an audience of this server, not expired, an accepted
 * algorithm. Only then are the issuer's keys fetched (once, then cached) and the signature verified.
 */
export class AccessTokenVerifier {
  constructor(
    private readonly settings: OAuthSettings,
    /** This server's resource identifier (its MCP URL): publicBaseUrl may be known only once listening. */
    private readonly resource: () => string,
    private readonly keys = new IssuerKeys(),
  ) {}

  /** Whether `token` is shaped like a JWT (agent and admin tokens are not): decided locally. */
  handles(token: string): boolean {
    return unverifiedJwt(token) !== null;
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const resource = this.resource();
    const decoded = unverifiedJwt(token);
    if (!decoded) throw invalid('malformed', resource);
    const issuer = this.settings.issuers.find((candidate) => candidate.issuer === decoded.payload.iss);
    if (!issuer) throw invalid('issuer', resource);
    const audience = issuer.audience ?? [resource];
    const tolerance = this.settings.clockToleranceSeconds;
    const { aud, exp } = decoded.payload;
    if (![aud].flat().some((value) => typeof value === 'string' && audience.includes(value))) throw invalid('audience', resource);
    if (typeof exp !== 'number' || exp + tolerance <= Date.now() / 1000) throw invalid('expired', resource);
    if (!issuer.algorithms.includes(decoded.header.alg!)) throw invalid('algorithm', resource);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keys.keysOf(issuer), {
        issuer: issuer.issuer,
        audience,
        algorithms: issuer.algorithms,
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const reason = reasonOf(err);
      if (reason) throw invalid(reason, resource);
      if (err instanceof DomainError) throw err;
      throw issuerUnavailable(issuer.issuer);
    }
    const scopes = scopesOf(payload);
    const missing = this.settings.requiredScopes.filter((scope) => !scopes.has(scope));
    if (missing.length > 0) {
      throw new DomainError(
        'INSUFFICIENT_SCOPE',
        `The access token lacks the scope this server requires: ${missing.join(' ')}.`,
        `Ask the authorization server for a token with scope "${this.settings.requiredScopes.join(' ')}".`,
        { required: this.settings.requiredScopes.join(' ') },
      );
    }
    return { issuer: issuer.issuer, principal: principalOf(payload, issuer) };
  }
}
