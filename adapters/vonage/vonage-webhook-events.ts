import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { WhatsAppEvent } from '../../ports/whatsapp.js';
import { mapVonageStatus } from './vonage-message-status.js';
import { e164 } from './vonage-numbers.js';

type Json = Record<string, unknown>;

/** Inbound message types that carry one media object `{ url, caption? }` under their own name. */
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'file', 'sticker']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, missingField?: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    message,
    'Only Vonage should call this URL: check the inbound and status webhook URLs of the Vonage application (Messages API v1 format).',
    { provider: 'vonage', missingField },
  );
}

function requiredString(body: Json, name: string, what: string): string {
  const value = body[name];
  if (typeof value === 'string' && value !== '') return value;
  throw invalid(`The Vonage ${what} webhook has no ${name}.`, name);
}

/** "https://developer.vonage.com/api-errors/messages#1340" → "1340"; else the title (a number in status webhooks). */
function errorCode(error: unknown): string | null {
  if (!isObject(error)) return null;
  const type = typeof error.type === 'string' ? error.type : '';
  const fragment = type.includes('#') ? type.slice(type.lastIndexOf('#') + 1) : '';
  if (fragment) return fragment;
  if (typeof error.title === 'number' || (typeof error.title === 'string' && error.title !== '')) return String(error.title);
  return null;
}

function inboundContent(body: Json, messageType: string): { text: string; mediaUrls: string[] } {
  if (messageType === 'text') return { text: typeof body.text === 'string' ? body.text : '', mediaUrls: [] };
  const content = body[messageType];
  if (MEDIA_TYPES.has(messageType) && isObject(content)) {
    return {
      text: typeof content.caption === 'string' ? content.caption : '',
      mediaUrls: typeof content.url === 'string' ? [content.url] : [],
    };
  }
  // Quick-reply buttons and interactive replies: what the contact tapped is what they said.
  if (messageType === 'reply' && isObject(content)) return { text: typeof content.title === 'string' ? content.title : '', mediaUrls: [] };
  if (messageType === 'button' && isObject(content)) return { text: typeof content.text === 'string' ? content.text : '', mediaUrls: [] };
  return { text: '', mediaUrls: [] };
}

/** The Messages API channels our ports read. */
export type MessagesChannel = 'whatsapp' | 'sms';

const CHANNEL_NAME: Readonly<Record<MessagesChannel, string>> = { whatsapp: 'WhatsApp', sms: 'SMS' };

/**
 * Reads a Messages API v1 webhook of `channel`: an inbound message (it has `message_type`) or a status update (it
 * has `status`). Statuses this adapter does not know yield no event (`unknownStatus` is told), so a new Vonage status
 * never makes Vonage retry the webhook forever. The profile name is WhatsApp's; SMS has none.
 */
export function parseVonageWebhook(request: WebhookRequest, unknownStatus: (status: string) => void, channel: MessagesChannel = 'whatsapp'): WhatsAppEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody) as unknown;
  } catch {
    throw invalid('The Vonage webhook body is not JSON.');
  }
  if (!isObject(body)) throw invalid('The Vonage webhook body is not a JSON object.');

  if (typeof body.status === 'string') {
    const providerMessageId = requiredString(body, 'message_uuid', 'status');
    const status = mapVonageStatus(body.status);
    if (!status) {
      unknownStatus(body.status.slice(0, 40));
      return [];
    }
    return [{ kind: 'status', providerMessageId, status, errorCode: errorCode(body.error) }];
  }

  if (typeof body.message_type === 'string') {
    if (body.channel !== undefined && body.channel !== channel) {
      throw invalid(`The Vonage webhook is for the ${String(body.channel).slice(0, 20)} channel, not ${CHANNEL_NAME[channel]}.`);
    }
    const { text, mediaUrls } = inboundContent(body, body.message_type);
    const profile = isObject(body.profile) && typeof body.profile.name === 'string' ? body.profile.name : null;
    return [{
      kind: 'received',
      message: {
        providerMessageId: requiredString(body, 'message_uuid', 'inbound message'),
        from: e164(requiredString(body, 'from', 'inbound message')),
        to: e164(requiredString(body, 'to', 'inbound message')),
        body: text,
        mediaUrls,
        profileName: profile,
      },
    }];
  }

  throw invalid('The Vonage webhook is neither an inbound message (message_type) nor a status update (status).', 'message_type');
}
