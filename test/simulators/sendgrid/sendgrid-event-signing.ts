import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { SimulatedMail } from './sendgrid-mail-request.js';

/** How an event webhook is signed: as SendGrid does, by someone without the key, long ago, or not at all. */
export type EventSigning = 'valid' | 'forged' | 'stale' | 'missing';

export interface SignedEventWebhook {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  rawBody: string;
}

/** How old a `stale` signature claims to be: past the usual 5-minute tolerance. */
const STALE_SECONDS = 600;

/** The account's Event Webhook key pair (ECDSA P-256); the public key as the dashboard shows it (base64 DER). */
export class EventWebhookKeys {
  private readonly privateKey: KeyObject;
  readonly publicKey: string;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }

  /**
   * Signs like SendGrid's signed Event Webhook: ECDSA with SHA-256 over the timestamp followed by the raw body, the
   * DER signature base64 in `X-Twilio-Email-Event-Webhook-Signature`, the timestamp in `…-Timestamp`.
   */
  sign(url: string, events: unknown[], signing: EventSigning, now: Date): SignedEventWebhook {
    const rawBody = JSON.stringify(events);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'SendGrid Event API' };
    if (signing !== 'missing') {
      const timestamp = String(Math.floor(now.getTime() / 1000) - (signing === 'stale' ? STALE_SECONDS : 0));
      // A forger has a key of the right kind, but not this one.
      const key = signing === 'forged' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey : this.privateKey;
      headers['x-twilio-email-event-webhook-signature'] = sign('sha256', Buffer.from(timestamp + rawBody, 'utf8'), key).toString('base64');
      headers['x-twilio-email-event-webhook-timestamp'] = timestamp;
    }
    return { url, method: 'POST', headers, rawBody };
  }
}

export type EventKind = 'processed' | 'delivered' | 'deferred' | 'bounce' | 'dropped' | 'open' | 'click';

/** One Event Webhook event for one recipient of a mail; custom args ride along as top-level keys. */
export function mailEvent(mail: Pick<SimulatedMail, 'messageId' | 'categories' | 'customArgs'>, recipient: string, kind: EventKind, index: number, now: Date): Record<string, unknown> {
  const event: Record<string, unknown> = {
    email: recipient,
    timestamp: Math.floor(now.getTime() / 1000),
    'smtp-id': `<${mail.messageId}@geopod-ismtpd-1>`,
    event: kind,
    category: mail.categories,
    sg_event_id: randomUUID().replace(/-/g, ''),
    sg_message_id: `${mail.messageId}.recvd-${randomUUID().slice(0, 8)}-${index}-0`,
    ...mail.customArgs,
  };
  if (kind === 'delivered') event.response = '250 OK';
  if (kind === 'bounce') Object.assign(event, { type: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist.' });
  return event;
}
