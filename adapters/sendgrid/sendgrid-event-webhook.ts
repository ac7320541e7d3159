import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { EmailEvent } from '../../ports/email.js';
import { DomainError } from '../../ports/errors.js';
import type { MessageStatus } from '../../ports/records.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { MESSAGE_ID_ARG } from './sendgrid-payload.js';

/** Older signatures are refused as replays; newer ones (clock skew) too. */
const MAX_AGE_SECONDS = 300;

export const SIGNATURE = EventWebhookHeader.SIGNATURE().toLowerCase();
const TIMESTAMP = EventWebhookHeader.TIMESTAMP().toLowerCase();

/**
 * Event Webhook events that say something about delivery, as status events. A spam report comes after delivery, but
 * for an agent it means "this recipient does not want our mail": a failure with its own code, as with Resend.
 * Engagement events (click, unsubscribe …) yield nothing.
 */
const STATUS_BY_EVENT: Readonly<Record<string, { status: MessageStatus; errorCode: string | null }>> = {
  processed: { status: 'queued', errorCode: null },
  deferred: { status: 'sending', errorCode: null },
  delivered: { status: 'delivered', errorCode: null },
  open: { status: 'read', errorCode: null },
  bounce: { status: 'undelivered', errorCode: 'bounce' },
  dropped: { status: 'failed', errorCode: 'dropped' },
  spamreport: { status: 'failed', errorCode: 'complained' },
};

/**
 * Verifies SendGrid's signed Event Webhook (ECDSA P-256, SHA-256 over the timestamp followed by the raw body) with
 * SendGrid's own helper. That helper is pure JavaScript (about 10 ms a verification), so Node's native check runs
 * first: a forged post is refused at native cost, and only what passes it is confirmed by the helper.
 */
export class EventWebhookVerifier {
  private readonly helper = new EventWebhook();
  private readonly key: ReturnType<EventWebhook['convertPublicKeyToECDSA']>;
  private readonly nativeKey: KeyObject;

  /** Throws on a key that is not an EC public key, so a wrong setting fails at start, not at the first event. */
  constructor(publicKey: string, private readonly now: () => Date) {
    this.key = this.helper.convertPublicKeyToECDSA(publicKey);
    this.nativeKey = publicKey.includes('-----BEGIN')
      ? createPublicKey(publicKey)
      : createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
  }

  /** True only for a correctly signed body whose signed timestamp is within 5 minutes. */
  isValid(request: WebhookRequest): boolean {
    const signature = request.headers[SIGNATURE];
    const timestamp = request.headers[TIMESTAMP];
    if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
    if (Math.abs(Math.floor(this.now().getTime() / 1000) - Number(timestamp)) > MAX_AGE_SECONDS) return false;
    try {
      const signed = Buffer.from(timestamp + request.rawBody, 'utf8');
      if (!verify('sha256', signed, this.nativeKey, Buffer.from(signature, 'base64'))) return false;
      return this.helper.verifySignature(this.key, request.rawBody, signature, timestamp);
    } catch {
      return false;
    }
  }
}

/** True for a request that carries the Event Webhook's signature headers (whether or not they verify). */
export function isEventWebhook(request: WebhookRequest): boolean {
  return request.headers[SIGNATURE] !== undefined;
}

function invalid(what: string): DomainError {
  return new DomainError(
    'INVALID_INPUT', `The SendGrid event webhook ${what}.`,
    'Only SendGrid should call this URL; check the Event Webhook URL in the SendGrid settings.', { provider: 'sendgrid' },
  );
}

/**
 * The status events of an Event Webhook batch. `sg_message_id` is the send's `X-Message-Id` followed by a dot and
 * SendGrid's own suffix; our message id comes back as a custom argument.
 */
export function parseEventWebhook(rawBody: string): EmailEvent[] {
  let batch: unknown;
  try {
    batch = JSON.parse(rawBody) as unknown;
  } catch {
    throw invalid('body is not JSON');
  }
  if (!Array.isArray(batch)) throw invalid('body is not a JSON array of events');
  const events: EmailEvent[] = [];
  for (const item of batch as Array<Record<string, unknown>>) {
    const mapped = typeof item?.event === 'string' ? STATUS_BY_EVENT[item.event] : undefined;
    if (!mapped) continue;
    const sgMessageId = typeof item.sg_message_id === 'string' ? item.sg_message_id : '';
    const providerMessageId = sgMessageId.split('.')[0];
    if (!providerMessageId) throw invalid(`event ${String(item.event)} has no sg_message_id`);
    const reference = item[MESSAGE_ID_ARG];
    const smtpStatus = typeof item.status === 'string' && item.status !== '' ? item.status : null;
    events.push({
      kind: 'status',
      providerMessageId,
      status: mapped.status,
      errorCode: item.event === 'bounce' ? (smtpStatus ?? mapped.errorCode) : mapped.errorCode,
      ...(typeof reference === 'string' && reference !== '' ? { reference } : {}),
    });
  }
  return events;
}
