import { DomainError } from '../ports/errors.js';
import type { WebhookHead, WebhookKind } from '../ports/webhook.js';
import { requirePort, type CorePorts } from './context.js';
import { invalidSignature, requireAgent } from './messages/inbound/store-inbound.js';

/** The port whose provider calls a webhook route. */
export type WebhookChannel = 'telephony' | 'email' | 'whatsapp';

/**
 * More fields than any provider's form carries (Twilio's richest, an inbound MMS with ten media, has about 60). A
 * form with more is refused before it is parsed: the signature check sorts and hashes every field.
 */
export const MAX_FORM_FIELDS = 500;

export interface WebhookLimits {
  /** The provider's largest body of this kind; null when its adapter declares no kinds (the server's limit then). */
  maxBodyBytes: number | null;
  maxFormFields: number;
}

function mediaType(head: WebhookHead): string {
  return (head.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase().slice(0, 100);
}

function isSignedIn(kind: WebhookKind, head: WebhookHead): boolean {
  return kind.signatureHeaders.length === 0 || kind.signatureHeaders.some((name) => Boolean(head.headers[name]));
}

/**
 * The cheap checks of a webhook, made before its body is read, most of it by what the provider's adapter declares:
 * the channel is configured, the agent the URL names exists, the media type is one the provider sends and the
 * signature header is there. Answers how much body may then be read; the signature itself is checked after.
 */
export async function admitWebhook(ports: CorePorts, channel: WebhookChannel, agentId: string | null, head: WebhookHead): Promise<WebhookLimits> {
  const kinds = requirePort(ports, channel).port.webhookKinds;
  if (agentId !== null) await requireAgent(ports, agentId);
  if (!kinds) return { maxBodyBytes: null, maxFormFields: MAX_FORM_FIELDS };
  const type = mediaType(head);
  const ofType = kinds.filter((kind) => kind.contentType === type);
  if (ofType.length === 0) {
    throw new DomainError('INVALID_INPUT', `The provider sends no ${channel} webhook of Content-Type "${type}".`,
      'Only the provider should call this URL; check that the provider\'s webhook is pointed at the right route.', { contentType: type });
  }
  const signed = ofType.filter((kind) => isSignedIn(kind, head));
  if (signed.length === 0) throw invalidSignature();
  return { maxBodyBytes: Math.max(...signed.map((kind) => kind.maxBodyBytes)), maxFormFields: MAX_FORM_FIELDS };
}
