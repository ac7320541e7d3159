import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';
import { DomainError } from '../../ports/errors.js';
import type { SendWhatsAppRequest } from '../../ports/whatsapp.js';

const WHATSAPP_PREFIX = 'whatsapp:';
/** Content API template SIDs: Twilio refuses anything else as ContentSid (error 21655). */
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

function invalidInput(message: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', message, nextStep, { provider: 'twilio' });
}

/** Twilio addresses WhatsApp users as `whatsapp:+E164`; the port gives bare E.164 (a stray prefix is tolerated). */
export function toWhatsAppAddress(number: string): string {
  const bare = number.trim();
  return bare.startsWith(WHATSAPP_PREFIX) ? bare : `${WHATSAPP_PREFIX}${bare}`;
}

/** The E.164 number of a `whatsapp:+E164` address; null when the address is on another channel (SMS, rcs: …). */
export function fromWhatsAppAddress(address: string): string | null {
  return address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : null;
}

/**
 * The Messages.json request for one WhatsApp message. Templates are Content API templates (`ContentSid` HX…,
 * variables as a JSON string) and carry no body or media of their own (Twilio: "remove Body and MediaUrl when you
 * send a content template"). WhatsApp carries one attachment per message and the port returns one provider id, so
 * several media URLs are refused rather than split into messages that could half-succeed; the body is the caption.
 */
export function buildTwilioWhatsAppMessage(
  request: SendWhatsAppRequest,
  messagingServiceSid: string | undefined,
): MessageListInstanceCreateOptions {
  const body = request.body ?? '';
  const mediaUrls = request.mediaUrls ?? [];
  const common: MessageListInstanceCreateOptions = {
    to: toWhatsAppAddress(request.to),
    from: toWhatsAppAddress(request.from),
    ...(request.statusCallbackUrl ? { statusCallback: request.statusCallbackUrl } : {}),
    ...(messagingServiceSid ? { messagingServiceSid } : {}),
  };

  if (request.template) {
    const { id, variables } = request.template;
    if (body !== '' || mediaUrls.length > 0) {
      throw invalidInput(
        'A WhatsApp template message cannot carry free text or media as well.',
        'Send either the approved template (templateId and templateVars) or a free-form body/media, not both.',
      );
    }
    if (!CONTENT_SID.test(id)) {
      throw invalidInput(
        'Twilio sends WhatsApp templates by their Content SID (HX followed by 32 hex digits), not by name.',
        'Pass the Content SID of the approved template as templateId (Twilio console → Content Template Builder).',
      );
    }
    const hasVariables = Object.keys(variables).length > 0;
    return { ...common, contentSid: id, ...(hasVariables ? { contentVariables: JSON.stringify(variables) } : {}) };
  }

  if (mediaUrls.length > 1) {
    throw invalidInput(
      'WhatsApp carries one attachment per message.',
      'Send one message per media URL (the text can go with the first one as its caption).',
    );
  }
  if (body === '' && mediaUrls.length === 0) {
    throw invalidInput(
      'The WhatsApp message has no body, media or template.',
      'Give a body (inside the 24-hour window), a media URL, or an approved template with its variables.',
    );
  }
  return { ...common, ...(body !== '' ? { body } : {}), ...(mediaUrls.length > 0 ? { mediaUrl: mediaUrls } : {}) };
}
