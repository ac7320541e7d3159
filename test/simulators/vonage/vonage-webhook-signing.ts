import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * How a simulated webhook is signed: as Vonage does; by someone without the secret; not at all; validly but with
 * the body changed afterwards; or validly but issued long ago (a replay).
 */
export type SignatureMode = 'valid' | 'forged' | 'missing' | 'tampered' | 'stale';

/** What Vonage puts in the claims of a signed webhook. */
export interface WebhookSigner {
  signatureSecret: string;
  apiKey: string;
  applicationId: string;
}

/** A webhook exactly as Vonage sends it: JSON body, `Authorization: Bearer <JWT>` (header names lower-cased). */
export interface SignedVonageWebhook {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  rawBody: string;
  /** Always empty: Vonage posts JSON, not forms (kept for the shape of ports/webhook.ts `WebhookRequest`). */
  params: Record<string, string>;
}


/** How old a `stale` signature claims to be: well past the usual 5-minute tolerance. */
export const STALE_SIGNATURE_AGE_SECONDS = 600;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The same webhook with one meaningful field changed, so a signature over the original no longer matches. */
function altered(body: Record<string, unknown>): Record<string, unknown> {
  if (typeof body.text === 'string') return { ...body, text: `${body.text} (altered)` };
  if (typeof body.status === 'string') return { ...body, status: body.status === 'delivered' ? 'read' : 'delivered' };
  return { ...body, altered: true };
}

/**
 * Signs like Vonage's signed webhooks: a JWT (HS256, key = the account's signature secret) with `iat`, `jti`,
 * `iss` "Vonage", `api_key`, `application_id` and `payload_hash` = hex SHA-256 of the exact raw body.
 */
export function signVonageWebhook(
  signer: WebhookSigner,
  url: string,
  body: Record<string, unknown>,
  mode: SignatureMode,
  now: Date,
): SignedVonageWebhook {
  const signedBody = JSON.stringify(body);
  const rawBody = mode === 'tampered' ? JSON.stringify(altered(body)) : signedBody;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: '*/*' };
  if (mode !== 'missing') {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const claims = {
      iat: mode === 'stale' ? nowSeconds - STALE_SIGNATURE_AGE_SECONDS : nowSeconds,
      jti: randomUUID(),
      iss: 'Vonage',
      payload_hash: sha256Hex(signedBody),
      api_key: signer.apiKey,
      application_id: signer.applicationId,
    };
    // A forger knows the format but not the secret.
    const key = mode === 'forged' ? `forged-${signer.signatureSecret.slice(0, 4)}-${randomUUID()}` : signer.signatureSecret;
    headers.authorization = `Bearer ${jwt.sign(claims, key, { algorithm: 'HS256' })}`;
  }
  return { url, method: 'POST', headers, rawBody, params: {} };
}
