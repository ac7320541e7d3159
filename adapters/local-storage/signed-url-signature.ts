import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 over the key and the expiry, separated by a newline (which no key contains): without the
 * separator, the URL of key "a1" expiring at 23 would also sign key "a" expiring at 123.
 */
export function signStorageUrl(secret: Uint8Array, key: string, expiresAtSeconds: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expiresAtSeconds}`, 'utf8').digest('hex');
}

/** Constant-time comparison of a hex signature from a URL with the expected one. */
export function isValidStorageSignature(secret: Uint8Array, key: string, expiresAtSeconds: number, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signStorageUrl(secret, key, expiresAtSeconds), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
