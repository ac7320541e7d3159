import { randomBytes } from 'node:crypto';
import { SegmentedMessage } from 'sms-segments-calculator';
import { signSmsFields, type SmsSignatureMethod } from './vonage-sms-signing.js';
import type { SignatureMode, SignedVonageWebhook } from './vonage-webhook-signing.js';
import { msisdn } from './vonage-webhook-bodies.js';

/** An SMS the SMS API accepted. Numbers are digits, as sent. */
export interface SimulatedSms {
  from: string;
  to: string;
  /** The text as the recipient's phone shows it: characters outside GSM-7 become `?` unless sent as unicode. */
  text: string;
  /** `text` or `unicode`, as asked. */
  type: string;
  /** One id per part: a long message is sent (and reported) in parts. */
  messageIds: string[];
  clientRef: string | null;
  /** Where its delivery receipts go (the message's `callback`, else the account's receipt URL). */
  callback: string | null;
  /** The parameters as received (credentials left out). */
  params: Record<string, unknown>;
}

/** How SMS API webhooks reach the application: the dashboard's "POST" (a form) or "POST-JSON". */
export type SmsWebhookFormat = 'form' | 'json';

/** Delivery receipt statuses (`status` of the receipt). */
export type DeliveryReceiptStatus = 'accepted' | 'buffered' | 'delivered' | 'expired' | 'failed' | 'rejected' | 'unknown';

/** The SMS API's refusal of one message: HTTP 200 with a non-zero `status` (see the spec's x-errors). */
export interface SmsRefusal {
  status: string;
  errorText: string;
}

export const SMS_REFUSALS = {
  throttled: { status: '1', errorText: 'Throttled' },
  missingParams: (name: string) => ({ status: '2', errorText: `Missing ${name} param` }),
  invalidParams: (name: string) => ({ status: '3', errorText: `Invalid ${name} param` }),
  badCredentials: { status: '4', errorText: 'Bad Credentials' },
  internalError: { status: '5', errorText: 'Internal Error' },
  unroutable: { status: '6', errorText: 'Unroutable message - rejected' },
  illegalSender: { status: '15', errorText: 'Illegal Sender Address - rejected' },
} as const;

/** What the SMS API answers for one `POST /sms/json`. */
export function smsAcceptedBody(sms: SimulatedSms): Record<string, unknown> {
  return {
    'message-count': String(sms.messageIds.length),
    messages: sms.messageIds.map((id) => ({
      to: sms.to,
      'message-id': id,
      status: '0',
      'remaining-balance': '3.14159265',
      'message-price': '0.03330000',
      network: '310260',
      ...(sms.clientRef ? { 'client-ref': sms.clientRef } : {}),
    })),
  };
}

export function smsRefusedBody(refusal: SmsRefusal): Record<string, unknown> {
  return { 'message-count': '1', messages: [{ status: refusal.status, 'error-text': refusal.errorText }] };
}

/** Vonage message ids: 16 upper-case hex digits. */
export function smsMessageId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/**
 * The message as a phone receives it, in parts: `text` type delivers GSM-7 only (anything else arrives as `?`),
 * and each part of a long message has its own id.
 */
export function deliveredSms(params: Record<string, unknown>, callback: string | null): SimulatedSms {
  const type = typeof params.type === 'string' ? params.type : 'text';
  const sent = String(params.text ?? '');
  const unsupported = type === 'unicode' ? [] : new SegmentedMessage(sent).getNonGsmCharacters();
  const text = unsupported.reduce((out, char) => out.split(char).join('?'), sent);
  const parts = new SegmentedMessage(text, type === 'unicode' ? 'UCS-2' : 'GSM-7').segmentsCount;
  return {
    from: msisdn(String(params.from ?? '')),
    to: msisdn(String(params.to ?? '')),
    text,
    type,
    messageIds: Array.from({ length: Math.max(1, parts) }, smsMessageId),
    clientRef: typeof params['client-ref'] === 'string' ? params['client-ref'] : null,
    callback,
    params,
  };
}

/** "2020-01-01 12:00:00", as Vonage writes `message-timestamp`. */
function messageTimestamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** An SMS API webhook in the format the dashboard chose, its fields signed as `mode` asks. */
function smsWebhook(url: string, fields: Record<string, string>, format: SmsWebhookFormat): SignedVonageWebhook {
  if (format === 'json') {
    return { url, method: 'POST', headers: { 'content-type': 'application/json', accept: '*/*' }, rawBody: JSON.stringify(fields), params: {} };
  }
  return { url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' }, rawBody: new URLSearchParams(fields).toString(), params: fields };
}

export interface SmsSigner {
  apiKey: string;
  signatureSecret: string;
  signatureMethod: SmsSignatureMethod;
  webhookFormat: SmsWebhookFormat;
}

export interface InboundSmsInput {
  url: string;
  /** The sender (E.164, + optional). */
  from: string;
  /** The account's number it was sent to. */
  to: string;
  text: string;
  signature?: SignatureMode;
  messageId?: string;
}

/** The fields of an inbound SMS webhook, unsigned (spec: `InboundMessage`). */
export function inboundSmsFields(signer: SmsSigner, input: InboundSmsInput, now: Date): Record<string, string> {
  return {
    'api-key': signer.apiKey,
    msisdn: msisdn(input.from),
    to: msisdn(input.to),
    messageId: input.messageId ?? smsMessageId(),
    text: input.text,
    type: new SegmentedMessage(input.text).encodingName === 'GSM-7' ? 'text' : 'unicode',
    keyword: (input.text.trim().split(/\s+/)[0] ?? '').toUpperCase(),
    'message-timestamp': messageTimestamp(now),
  };
}

export interface DeliveryReceiptInput {
  url: string;
  messageId: string;
  status: DeliveryReceiptStatus;
  /** The recipient (E.164, + optional). */
  to: string;
  /** The sender the message was sent from. */
  from: string;
  errCode?: string;
  clientRef?: string | null;
  signature?: SignatureMode;
}

/** The fields of a delivery receipt, unsigned (spec: `DeliveryReceipt`). `msisdn` is the recipient, `to` the sender. */
export function deliveryReceiptFields(signer: SmsSigner, input: DeliveryReceiptInput, now: Date): Record<string, string> {
  const scts = now.toISOString().slice(2, 16).replace(/[-T:]/g, '');
  return {
    msisdn: msisdn(input.to),
    to: msisdn(input.from),
    'network-code': '310260',
    messageId: input.messageId,
    price: '0.03330000',
    status: input.status,
    scts,
    'err-code': input.errCode ?? '0',
    'api-key': signer.apiKey,
    ...(input.clientRef ? { 'client-ref': input.clientRef } : {}),
    'message-timestamp': messageTimestamp(now),
  };
}

/** Signs SMS API webhook fields the way the account is set up and wraps them as the dashboard's format says. */
export function signedSmsWebhook(signer: SmsSigner, url: string, fields: Record<string, string>, mode: SignatureMode, now: Date): SignedVonageWebhook {
  return smsWebhook(url, signSmsFields(fields, signer.signatureSecret, signer.signatureMethod, mode, now), signer.webhookFormat);
}

