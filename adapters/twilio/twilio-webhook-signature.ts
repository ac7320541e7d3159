import twilio from 'twilio';
import type { WebhookRequest } from '../../ports/webhook.js';

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
