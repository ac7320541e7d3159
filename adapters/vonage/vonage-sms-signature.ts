import type { Vonage } from '@vonage/server-sdk';
import type { SmsSignatureMethod } from './vonage-telephony-options.js';
import { WEBHOOK_SIGNATURE_MAX_AGE_SECONDS } from './vonage-webhook-signature.js';

/** The SDK's name for each signature method of the dashboard (derived, so that no transitive @vonage package is imported). */
type AlgorithmType = Parameters<Vonage['sms']['verifySignature']>[3];
const ALGORITHM: Readonly<Record<SmsSignatureMethod, string>> = {
  md5hash: 'MD5HASH', md5: 'MD5HMAC', sha1: 'SHA1HMAC', sha256: 'SHA256HMAC', sha512: 'SHA512HMAC',
};

/**
 * True only for an SMS API webhook signed the way the account is set up: `sig` over every other field (sorted,
 * with `&` and `=` in values replaced by `_`) and the signature secret, checked by the SDK's own helper, and a
 * `timestamp` within 5 minutes. The signature does not cover the URL: freshness is what limits a replay.
 */
export function isValidSmsApiSignature(
  sms: Vonage['sms'], fields: Readonly<Record<string, string>>, secret: string, method: SmsSignatureMethod, now: Date,
): boolean {
  const { sig, timestamp } = fields;
  if (!sig || !timestamp || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > WEBHOOK_SIGNATURE_MAX_AGE_SECONDS) return false;
  try {
    return sms.verifySignature(sig, { ...fields }, secret, ALGORITHM[method] as AlgorithmType);
  } catch {
    return false;
  }
}
