import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { SignatureMode } from './vonage-webhook-signing.js';

/** The signature methods of a Vonage account's dashboard. */
export type SmsSignatureMethod = 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';

/** How old a `stale` SMS signature claims to be: past the usual 5-minute tolerance. */
const STALE_SECONDS = 600;

/**
 * Vonage's signature of SMS API webhooks, written from its documentation ("Signing messages") rather than the SDK:
 * every field but `sig`, sorted by name, as `&name=value` with `&` and `=` in values replaced by `_`; then
 * md5hash: lower-case hex MD5 of that string followed by the secret; the HMAC methods: upper-case hex HMAC of the
 * string keyed by the secret.
 */
export function smsSignature(fields: Readonly<Record<string, string>>, secret: string, method: SmsSignatureMethod): string {
  const signed = Object.keys(fields).filter((name) => name !== 'sig').sort()
    .map((name) => `&${name}=${(fields[name] ?? '').replace(/[&=]/g, '_')}`).join('');
  if (method === 'md5hash') return createHash('md5').update(signed + secret).digest('hex');
  return createHmac(method, secret).update(signed).digest('hex').toUpperCase();
}

/** `fields` with the `timestamp`, `nonce` and `sig` a signing account adds, signed as `mode` asks. */
export function signSmsFields(
  fields: Record<string, string>, secret: string, method: SmsSignatureMethod, mode: SignatureMode, now: Date,
): Record<string, string> {
  const seconds = Math.floor(now.getTime() / 1000) - (mode === 'stale' ? STALE_SECONDS : 0);
  const unsigned: Record<string, string> = { ...fields, timestamp: String(seconds), nonce: randomUUID() };
  if (mode === 'missing') return unsigned;
  // A forger knows the format but not the secret.
  const sig = smsSignature(unsigned, mode === 'forged' ? `forged-${randomUUID()}` : secret, method);
  const signed: Record<string, string> = { ...unsigned, sig };
  return mode === 'tampered' && signed.text !== undefined ? { ...signed, text: `${signed.text} (altered)` } : signed;
}
