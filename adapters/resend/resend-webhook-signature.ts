import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DomainError } from '../../ports/errors.js';
import type { WebhookKind, WebhookRequest } from '../../ports/webhook.js';

/**
 * Resend's webhooks: Svix-signed JSON events. `email.received` carries the mail's metadata only (addresses, subject,
 * attachment names; the content is fetched from the receiving API), delivery events less: 256 KB leaves room for
 * long recipient lists.
 */
export const RESEND_WEBHOOK_KINDS: readonly WebhookKind[] = [
  { contentType: 'application/json', signatureHeaders: ['svix-signature', 'webhook-signature'], maxBodyBytes: 256 * 1024 },
];

/** Svix (and the Standard Webhooks spec) accept a timestamp this far from now, either way. */
const TOLERANCE_SECONDS = 5 * 60;

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks Resend's Svix signature: `svix-signature` holds space-separated `v1,<base64 HMAC-SHA256>` values over
 * `${svix-id}.${svix-timestamp}.${raw body}`. The signing is the `standardwebhooks` package's; the freshness check
 * is ours, against the injected clock rather than the package's `Date.now()`.
 */
export class SvixSignatureVerifier {
  private readonly webhook: Webhook;

  constructor(secret: string, private readonly now: () => Date) {
    try {
      this.webhook = new Webhook(secret);
    } catch {
      // The schema checks the alphabet; a wrong length only shows when decoding. The secret itself is never echoed.
      throw new DomainError(
        'CONFIG_INVALID',
        'email: webhookSecret is not a valid Resend signing secret (whsec_ followed by base64).',
        'Copy the signing secret of the webhook endpoint from the Resend dashboard again.',
        { port: 'email', plugin: 'resend' },
      );
    }
  }

  isValid(request: WebhookRequest): boolean {
    const headers = request.headers;
    const id = headers['svix-id'] ?? headers['webhook-id'];
    const timestamp = headers['svix-timestamp'] ?? headers['webhook-timestamp'];
    const signatures = headers['svix-signature'] ?? headers['webhook-signature'];
    if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
    const seconds = Number(timestamp);
    if (Math.abs(this.now().getTime() / 1000 - seconds) > TOLERANCE_SECONDS) return false;
    let expected: string;
    try {
      expected = this.webhook.sign(id, new Date(seconds * 1000), request.rawBody).slice('v1,'.length);
    } catch {
      return false;
    }
    return signatures.split(' ').some((versioned) => {
      const [version, signature] = versioned.split(',');
      return version === 'v1' && signature !== undefined && equalText(signature, expected);
    });
  }
}
