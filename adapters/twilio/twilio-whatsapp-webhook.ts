import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { WhatsAppEvent } from '../../ports/whatsapp.js';
import { mapTwilioStatus } from './twilio-message-status.js';
import { parseTwilioInboundSms, parseTwilioSmsStatus } from './twilio-webhook-forms.js';
import { fromWhatsAppAddress } from './twilio-whatsapp-message.js';

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function invalid(message: string, missingField?: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    message,
    'Only Twilio should call this URL: check the WhatsApp sender\'s webhook and the StatusCallback configured in the Twilio console.',
    { provider: 'twilio', missingField },
  );
}

/** An inbound WhatsApp message: the SMS form (ids, body, MediaUrlN), `whatsapp:` addresses and the sender's ProfileName. */
function received(request: WebhookRequest): WhatsAppEvent {
  const sms = parseTwilioInboundSms(request);
  const from = fromWhatsAppAddress(sms.from);
  const to = fromWhatsAppAddress(sms.to);
  // An SMS posted to the WhatsApp URL must not be stored as a WhatsApp conversation.
  if (from === null || to === null) throw invalid('The Twilio webhook is not about WhatsApp: From and To have no whatsapp: prefix.');
  return {
    kind: 'received',
    message: {
      providerMessageId: sms.providerMessageId,
      from,
      to,
      body: sms.body,
      mediaUrls: sms.mediaUrls,
      profileName: field(request.params, 'ProfileName') ?? null,
    },
  };
}

/**
 * Reads a Twilio messaging webhook posted to the WhatsApp URL: an inbound message (`SmsStatus=received`) or a
 * StatusCallback (`MessageStatus`, with `ErrorCode` on failure: 63016 is the closed 24-hour window). Statuses this
 * adapter does not know yield no event (`unknownStatus` is told), so a new Twilio status never makes Twilio retry.
 */
export function parseTwilioWhatsAppWebhook(request: WebhookRequest, unknownStatus: (status: string) => void): WhatsAppEvent[] {
  const providerStatus = field(request.params, 'MessageStatus') ?? field(request.params, 'SmsStatus');
  if (providerStatus === undefined) {
    throw invalid('The Twilio webhook is neither an inbound message nor a status callback (no MessageStatus or SmsStatus).', 'MessageStatus');
  }
  if (providerStatus === 'received') return [received(request)];
  if (mapTwilioStatus(providerStatus) === null) {
    unknownStatus(providerStatus.slice(0, 40));
    return [];
  }
  const { providerMessageId, status, errorCode } = parseTwilioSmsStatus(request);
  return [{ kind: 'status', providerMessageId, status, errorCode }];
}
