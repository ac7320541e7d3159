import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * How a simulated webhook is signed: as Resend (Svix) does; by someone without the secret; correctly but
 * ten minutes ago; with the valid signature next to one from a rotated-out secret; or not at all.
 */
export type SvixSignatureMode = 'valid' | 'forged' | 'stale' | 'multiple' | 'missing';

const STALE_BY_SECONDS = 600;

/** A fresh `whsec_…` secret, as the Resend dashboard shows it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function newSvixMessageId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/** The headers Svix sends with a webhook: `svix-id`, `svix-timestamp`, `svix-signature: v1,<base64 HMAC>…`. */
export function svixHeaders(secret: string, messageId: string, body: string, now: Date, mode: SvixSignatureMode = 'valid'): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Svix-Webhooks/1.24.0 (sender-simulated; +https://www.svix.com/http-sender/)',
  };
  if (mode === 'missing') return headers;
  const at = mode === 'stale' ? new Date(now.getTime() - STALE_BY_SECONDS * 1000) : now;
  const timestamp = Math.floor(at.getTime() / 1000);
  const sign = (key: string) => new Webhook(key).sign(messageId, new Date(timestamp * 1000), body);
  let signature: string;
  if (mode === 'forged') signature = sign(newWebhookSecret());
  else if (mode === 'multiple') signature = `${sign(newWebhookSecret())} ${sign(secret)}`;
  else signature = sign(secret);
  return { ...headers, 'svix-id': messageId, 'svix-timestamp': String(timestamp), 'svix-signature': signature };
}
