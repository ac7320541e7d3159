import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The credentials of the simulated account and of its Vonage application. */
export interface SimulatedCredentials {
  apiKey: string;
  apiSecret: string;
  applicationId: string;
  /** The application's public key: JWTs signed with its private key (RS256) authenticate as the application. */
  publicKey: KeyObject;
}

export type AuthMethod = 'basic' | 'jwt';

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function basicAuthorized(credentials: SimulatedCredentials, encoded: string): boolean {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  return sameText(decoded.slice(0, colon), credentials.apiKey) && sameText(decoded.slice(colon + 1), credentials.apiSecret);
}

function jwtAuthorized(credentials: SimulatedCredentials, token: string, now: Date): boolean {
  try {
    const claims = jwt.verify(token, credentials.publicKey, {
      algorithms: ['RS256'],
      clockTimestamp: Math.floor(now.getTime() / 1000),
    });
    return typeof claims === 'object' && claims.application_id === credentials.applicationId;
  } catch {
    return false;
  }
}

/**
 * How the Messages API accepts a caller, as the SDK authenticates: `Basic base64(api_key:api_secret)`, or
 * `Bearer <JWT>` signed RS256 with the application's private key and carrying its `application_id` (the SDK
 * picks JWT whenever applicationId and privateKey are configured). Null when refused.
 */
export function authenticate(credentials: SimulatedCredentials, authorization: string | undefined, now: Date): AuthMethod | null {
  if (!authorization) return null;
  const [scheme, value] = authorization.split(' ', 2);
  if (!value) return null;
  if (scheme?.toLowerCase() === 'basic') return basicAuthorized(credentials, value) ? 'basic' : null;
  if (scheme?.toLowerCase() === 'bearer') return jwtAuthorized(credentials, value, now) ? 'jwt' : null;
  return null;
}

/** A simulated Vonage account and application: what its tests pass to the SDK, and what its API accepts. */
export interface SimulatedAccount {
  apiKey: string;
  apiSecret: string;
  applicationId: string;
  /** PEM (PKCS#8) of the application's private key, for the SDK's JWT auth. */
  privateKey: string;
  /** Signs webhooks. */
  signatureSecret: string;
  credentials: SimulatedCredentials;
}

/** The given credentials, and random ones for the rest (a new 2048-bit RSA key for the application). */
export function simulatedAccount(given: Partial<Omit<SimulatedAccount, 'credentials'>>): SimulatedAccount {
  const key: KeyObject = given.privateKey ? createPrivateKey(given.privateKey) : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const apiKey = given.apiKey ?? randomBytes(4).toString('hex');
  const apiSecret = given.apiSecret ?? randomBytes(8).toString('hex');
  const applicationId = given.applicationId ?? randomUUID();
  return {
    apiKey,
    apiSecret,
    applicationId,
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    signatureSecret: given.signatureSecret ?? randomBytes(16).toString('hex'),
    credentials: { apiKey, apiSecret, applicationId, publicKey: createPublicKey(key) },
  };
}
