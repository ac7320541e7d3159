import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookKind, WebhookRequest } from '../../ports/webhook.js';

export const MOCK_SIGNATURE_HEADER = 'x-mock-signature';

/** Demo webhooks (forms or JSON) always carry the mock signature header; texts and call events are small. */
export function mockWebhookKinds(maxBodyBytes: number): readonly WebhookKind[] {
  return ['application/x-www-form-urlencoded', 'application/json'].map((contentType) => ({ contentType, signatureHeaders: [MOCK_SIGNATURE_HEADER], maxBodyBytes }));
}

/** Demo-mode webhook signature: hex HMAC-SHA256 of the exact URL followed by the raw body. */
export function signMockWebhook(secret: string, url: string, rawBody: string): string {
  return createHmac('sha256', secret).update(url + rawBody, 'utf8').digest('hex');
}

export function isValidMockSignature(secret: string, request: WebhookRequest): boolean {
  const given = request.headers[MOCK_SIGNATURE_HEADER];
  if (!given) return false;
  const expected = Buffer.from(signMockWebhook(secret, request.url, request.rawBody), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
