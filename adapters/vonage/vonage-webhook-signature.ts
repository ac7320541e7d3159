import { createHash, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { WebhookKind, WebhookRequest } from '../../ports/webhook.js';

/**
 * Vonage's webhooks: JSON (Voice API events, Messages API) signed by a JWT in `Authorization`, and SMS API posts
 * (form or JSON) that carry `sig` among their fields, so no header can be required. A WhatsApp text is at most 4,096
 * characters (24 KB JSON-escaped at worst) and an SMS part far less: 64 KB leaves ample margin.
 */
export const VONAGE_WEBHOOK_KINDS: readonly WebhookKind[] = ['application/json', 'application/x-www-form-urlencoded'].map((contentType) => ({
  contentType, signatureHeaders: [], maxBodyBytes: 64 * 1024,
}));

/** Vonage's Messages API (WhatsApp): JSON, always signed by a JWT in `Authorization`. */
export const VONAGE_MESSAGES_WEBHOOK_KINDS: readonly WebhookKind[] = [
  { contentType: 'application/json', signatureHeaders: ['authorization'], maxBodyBytes: 64 * 1024 },
];

/** Older signatures are refused as replays; newer ones (clock skew) too. */
export const WEBHOOK_SIGNATURE_MAX_AGE_SECONDS = 300;

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * True only for Vonage's signed-webhook JWT: `Authorization: Bearer <JWT>` signed HS256 with the account's
 * signature secret, issued (`iat`) within the last 5 minutes, whose `payload_hash` is the hex SHA-256 of exactly
 * this raw body. The JWT does not cover the URL: freshness and the body hash are what stop replays and tampering.
 */
export function isValidVonageSignature(signatureSecret: string, request: WebhookRequest, now: Date): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return false;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let claims: string | jwt.JwtPayload;
  try {
    // HS256 only: a token that names another algorithm (none, RS256 with the secret as "public key") is refused.
    claims = jwt.verify(token, signatureSecret, { algorithms: ['HS256'], clockTimestamp: nowSeconds });
  } catch {
    return false;
  }
  if (typeof claims !== 'object') return false;
  const { iat, payload_hash: payloadHash } = claims as { iat?: unknown; payload_hash?: unknown };
  if (typeof iat !== 'number' || Math.abs(nowSeconds - iat) > WEBHOOK_SIGNATURE_MAX_AGE_SECONDS) return false;
  if (typeof payloadHash !== 'string') return false;
  return sameHex(payloadHash, createHash('sha256').update(request.rawBody, 'utf8').digest('hex'));
}
