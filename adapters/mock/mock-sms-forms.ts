import { DomainError } from '../../ports/errors.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../../ports/records.js';
import type { InboundSms, SmsStatusUpdate } from '../../ports/telephony.js';
import type { WebhookRequest } from '../../ports/webhook.js';

// Demo clients post the same form fields as Twilio, so a Twilio-shaped test client works against demo mode.

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function required(params: Params, name: string, what: string): string {
  const value = field(params, name);
  if (value !== undefined) return value;
  throw new DomainError(
    'INVALID_INPUT',
    `The demo ${what} webhook has no ${name}.`,
    `Post a form with ${name} (the same fields Twilio sends: MessageSid, From, To, Body, MessageStatus).`,
    { missingField: name },
  );
}

function mediaUrls(params: Params): string[] {
  const urls: string[] = [];
  for (let index = 0; field(params, `MediaUrl${index}`) !== undefined; index += 1) {
    urls.push(field(params, `MediaUrl${index}`) ?? '');
  }
  return urls;
}

export function parseMockInboundSms(request: WebhookRequest): InboundSms {
  const { params } = request;
  return {
    providerMessageId: required(params, 'MessageSid', 'inbound message'),
    from: required(params, 'From', 'inbound message'),
    to: required(params, 'To', 'inbound message'),
    body: field(params, 'Body') ?? '',
    mediaUrls: mediaUrls(params),
  };
}

function isMessageStatus(value: string): value is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(value);
}

export function parseMockSmsStatus(request: WebhookRequest): SmsStatusUpdate {
  const { params } = request;
  const providerMessageId = required(params, 'MessageSid', 'status');
  const status = required(params, 'MessageStatus', 'status');
  if (!isMessageStatus(status)) {
    throw new DomainError(
      'INVALID_INPUT',
      `The demo status webhook reports an unknown status "${status.slice(0, 40)}".`,
      `Use one of: ${MESSAGE_STATUSES.join(', ')}.`,
      { providerStatus: status.slice(0, 40) },
    );
  }
  return { providerMessageId, status, errorCode: field(params, 'ErrorCode') ?? null };
}
