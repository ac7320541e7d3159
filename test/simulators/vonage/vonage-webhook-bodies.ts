import { randomUUID } from 'node:crypto';
import type { WhatsAppMediaKind } from './whatsapp-message-request.js';
import { traceId } from './vonage-problem.js';

/** Message statuses of the Messages API v1 status webhook. */
export type VonageMessageStatus = 'submitted' | 'delivered' | 'read' | 'rejected' | 'undelivered';

/** Digits only, as Vonage writes numbers in API bodies and webhooks. */
export function msisdn(number: string): string {
  return number.replace(/^\+/, '').replace(/^00/, '');
}

export interface InboundWhatsAppInput {
  /** The inbound webhook URL of the application. */
  url: string;
  /** The contact (E.164, with or without +). */
  from: string;
  /** The business number that receives it. */
  to: string;
  text?: string;
  /** A media message instead of text (WhatsApp carries one media per message; `caption` is optional). */
  media?: { type: WhatsAppMediaKind; url: string; caption?: string };
  /** The contact's WhatsApp profile name. Default "Contract Contact". */
  profileName?: string;
  /** Default: a new UUID. */
  messageUuid?: string;
}

/** An inbound WhatsApp message in the Messages API v1 webhook format. */
export function inboundMessageBody(input: InboundWhatsAppInput, now: Date): Record<string, unknown> {
  const base: Record<string, unknown> = {
    channel: 'whatsapp',
    message_uuid: input.messageUuid ?? randomUUID(),
    to: msisdn(input.to),
    from: msisdn(input.from),
    timestamp: now.toISOString(),
    profile: { name: input.profileName ?? 'Contract Contact' },
    context_status: 'none',
  };
  if (input.media) {
    const { type, url, caption } = input.media;
    return { ...base, message_type: type, [type]: caption === undefined ? { url } : { url, caption } };
  }
  return { ...base, message_type: 'text', text: input.text ?? '' };
}

export interface StatusInput {
  messageUuid: string;
  /** The contact the message was sent to. */
  to: string;
  /** The business number it was sent from. */
  from: string;
  status: VonageMessageStatus;
  clientRef?: string | null;
  /** For rejected/undelivered: the Messages API error code (e.g. 1340) and its wording. */
  error?: { code: number; detail?: string } | null;
}

/** Vonage's wording for the delivery errors the simulator plays. */
const ERROR_DETAIL: Readonly<Record<number, string>> = {
  1340: 'Outside the allowed window: the message was sent outside of the 24 hour customer care window.',
  1300: 'Not part of the provider network: the recipient does not use WhatsApp.',
  1330: 'Unknown error from the provider.',
};

/** A Messages API v1 status webhook for a WhatsApp message. */
export function statusBody(input: StatusInput, now: Date): Record<string, unknown> {
  const body: Record<string, unknown> = {
    message_uuid: input.messageUuid,
    to: msisdn(input.to),
    from: msisdn(input.from),
    timestamp: now.toISOString(),
    status: input.status,
    channel: 'whatsapp',
  };
  if (input.clientRef) body.client_ref = input.clientRef;
  if (input.status === 'delivered' || input.status === 'submitted') {
    body.usage = { currency: 'EUR', price: '0.0147' };
    body.whatsapp = { conversation: { id: traceId(), origin: { type: 'service' } } };
  }
  if (input.error) {
    // In status webhooks `title` carries the numeric code; `type` links to the catalogue entry.
    body.error = {
      type: `https://developer.vonage.com/api-errors/messages#${input.error.code}`,
      title: input.error.code,
      detail: input.error.detail ?? ERROR_DETAIL[input.error.code] ?? 'The message could not be delivered.',
      instance: traceId(),
    };
  }
  return body;
}
