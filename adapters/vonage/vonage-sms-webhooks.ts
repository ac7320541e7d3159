import { DomainError } from '../../ports/errors.js';
import type { MessageStatus } from '../../ports/records.js';
import type { InboundSms, SmsStatusUpdate } from '../../ports/telephony.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { e164 } from './vonage-numbers.js';
import { parseVonageWebhook } from './vonage-webhook-events.js';

/**
 * Delivery receipt statuses of the SMS API, mapped to ours. `accepted` means the carrier took it; `buffered` that it
 * waits at the carrier; `unknown` that the carrier never said — the message left us, nothing more is certain.
 */
const SMS_API_STATUS: Readonly<Record<string, MessageStatus>> = {
  accepted: 'sent',
  buffered: 'sending',
  delivered: 'delivered',
  expired: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
  unknown: 'sent',
};

type Fields = Readonly<Record<string, string>>;

function invalid(message: string, missingField?: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    message,
    'Only Vonage should call this URL: check the SMS webhook URLs of the number, the account or the application.',
    { provider: 'vonage', missingField },
  );
}

function required(fields: Fields, name: string, what: string): string {
  const value = fields[name];
  if (value !== undefined && value !== '') return value;
  throw invalid(`The Vonage ${what} webhook has no ${name}.`, name);
}

function jsonObject(raw: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The fields of an SMS API webhook — form fields of a POST, or the body of a POST-JSON one — as strings, the way
 * they are signed; null when the request is neither.
 */
export function smsApiFields(request: WebhookRequest): Fields | null {
  if (Object.keys(request.params).length > 0) {
    return Object.fromEntries(Object.entries(request.params).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? '') : value]));
  }
  const body = jsonObject(request.rawBody);
  if (!body || 'message_uuid' in body) return null;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
  }
  return fields;
}

/** A Messages API webhook (JSON with `message_uuid`), as an account set up for the Messages API sends SMS events. */
function isMessagesApi(request: WebhookRequest): boolean {
  return Object.keys(request.params).length === 0 && jsonObject(request.rawBody)?.message_uuid !== undefined;
}

/** An inbound SMS: the SMS API's form (msisdn, to, messageId, text) or the Messages API's JSON (channel "sms"). */
export function parseVonageInboundSms(request: WebhookRequest): InboundSms {
  if (isMessagesApi(request)) {
    const [event] = parseVonageWebhook(request, () => {}, 'sms');
    if (event?.kind !== 'received') throw invalid('The Vonage webhook is a status update, not an inbound message.', 'message_type');
    const { providerMessageId, from, to, body } = event.message;
    return { providerMessageId, from, to, body, mediaUrls: [] };
  }
  const fields = smsApiFields(request) ?? {};
  return {
    providerMessageId: required(fields, 'messageId', 'inbound SMS'),
    from: e164(required(fields, 'msisdn', 'inbound SMS')),
    to: e164(required(fields, 'to', 'inbound SMS')),
    body: fields.text ?? '',
    mediaUrls: [],
  };
}

/** A delivery report: the SMS API's delivery receipt, or a Messages API status of an SMS. */
export function parseVonageSmsStatus(request: WebhookRequest): SmsStatusUpdate {
  if (isMessagesApi(request)) {
    const [event] = parseVonageWebhook(request, (status) => { throw invalid(`The Vonage status webhook reports an unknown status "${status}".`); }, 'sms');
    if (event?.kind !== 'status') throw invalid('The Vonage webhook is an inbound message, not a status update.', 'status');
    const { kind: _kind, ...update } = event;
    return withReference(update, jsonObject(request.rawBody)?.client_ref);
  }
  const fields = smsApiFields(request) ?? {};
  const providerMessageId = required(fields, 'messageId', 'delivery receipt');
  const providerStatus = required(fields, 'status', 'delivery receipt');
  const status = SMS_API_STATUS[providerStatus];
  if (!status) throw invalid(`The Vonage delivery receipt reports an unknown status "${providerStatus.slice(0, 40)}".`);
  const errorCode = fields['err-code'];
  return withReference({ providerMessageId, status, errorCode: errorCode && errorCode !== '0' ? errorCode : null }, fields['client-ref']);
}

/** Our message id rides along as `client-ref` when we set it (every send does). */
function withReference(update: SmsStatusUpdate, clientRef: unknown): SmsStatusUpdate {
  return typeof clientRef === 'string' && clientRef !== '' ? { ...update, reference: clientRef } : update;
}
