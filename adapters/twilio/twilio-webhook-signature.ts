import twilio from 'twilio';
import type { WebhookKind, WebhookRequest } from '../../ports/webhook.js';

/**
 * Twilio's webhooks: forms (messages, calls, recordings) and JSON bodies signed through `bodySHA256`, always with
 * `X-Twilio-Signature`. A message body is at most 1,600 characters — 19 KB when every one is a percent-encoded emoji —
 * and the other fields (numbers, SIDs, up to ten media URLs, geography) a few KB: 64 KB leaves ample margin.
 */
export const TWILIO_WEBHOOK_KINDS: readonly WebhookKind[] = ['application/x-www-form-urlencoded', 'application/json'].map((contentType) => ({
  contentType, signatureHeaders: ['x-twilio-signature'], maxBodyBytes: 64 * 1024,
}));

function hasBodyHash(url: string): boolean {
  try {
    return new URL(url).searchParams.has('bodySHA256');
  } catch {
    return false;
  }
}

/**
 * True only for Twilio's valid `X-Twilio-Signature` over this exact URL and these fields. JSON webhooks sign
 * the URL only, which then carries `bodySHA256` of the raw body; the SDK checks both.
 */
export function isValidTwilioSignature(authToken: string, request: WebhookRequest): boolean {
  const signature = request.headers['x-twilio-signature'];
  if (!signature) return false;
  try {
    if (hasBodyHash(request.url)) return twilio.validateRequestWithBody(authToken, signature, request.url, request.rawBody);
    return twilio.validateRequest(authToken, signature, request.url, request.params);
  } catch {
    // A malformed URL is not a valid signature; it must never turn into a 500.
    return false;
  }
}
