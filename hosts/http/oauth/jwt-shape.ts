import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface UnverifiedJwt {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
}

/**
 * The header and claims of a token shaped like a signed JWT, read locally and NOT verified; null for any
 * other token (agent and admin tokens). Lets the cheap checks (issuer, audience, expiry) refuse a token
 * before anything is fetched from its issuer.
 */
export function unverifiedJwt(token: string): UnverifiedJwt | null {
  if (token.length > 16_384 || !COMPACT_JWS.test(token)) return null;
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string') return null;
    return { header, payload: decodeJwt(token) };
  } catch {
    return null;
  }
}
