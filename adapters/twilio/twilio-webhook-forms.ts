import { DomainError } from '../../ports/errors.js';
import type { InboundSms, SmsStatusUpdate } from '../../ports/telephony.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { mapTwilioStatus } from './twilio-message-status.js';

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function required(params: Params, names: readonly string[], what: string): string {
  for (const name of names) {
    const value = field(params, name);
    if (value !== undefined) return value;
  }
  throw new DomainError(
    'INVALID_INPUT',
    `The Twilio ${what} webhook has no ${names[0]}.`,
    'Only Twilio should call this URL; check the number\'s webhook configuration in the Twilio console.',
    { missingField: names[0] },
  );
}

/** MediaUrl0…MediaUrl{NumMedia-1}; when NumMedia is absent, every MediaUrlN present, in order. */
function mediaUrls(params: Params): string[] {
  const declared = Number(field(params, 'NumMedia') ?? Number.NaN);
  const urls: string[] = [];
  const limit = Number.isInteger(declared) && declared >= 0 ? declared : Number.POSITIVE_INFINITY;
  for (let index = 0; index < limit; index += 1) {
    const url = field(params, `MediaUrl${index}`);
    if (url === undefined) break;
    urls.push(url);
  }
  return urls;
}

export function parseTwilioInboundSms(request: WebhookRequest): InboundSms {
  const { params } = request;
  return {
    providerMessageId: required(params, ['MessageSid', 'SmsMessageSid', 'SmsSid'], 'inbound message'),
    from: required(params, ['From'], 'inbound message'),
    to: required(params, ['To'], 'inbound message'),
    body: field(params, 'Body') ?? '',
    mediaUrls: mediaUrls(params),
  };
}

export function parseTwilioSmsStatus(request: WebhookRequest): SmsStatusUpdate {
  const { params } = request;
  const providerMessageId = required(params, ['MessageSid', 'SmsSid'], 'status');
  const providerStatus = required(params, ['MessageStatus', 'SmsStatus'], 'status');
  const status = mapTwilioStatus(providerStatus);
  if (!status) {
    throw new DomainError(
      'INVALID_INPUT',
      `The Twilio status webhook reports an unknown status "${providerStatus.slice(0, 40)}".`,
      'Update the Twilio adapter to a version that knows this status.',
      { providerStatus: providerStatus.slice(0, 40) },
    );
  }
  return { providerMessageId, status, errorCode: field(params, 'ErrorCode') ?? null };
}
