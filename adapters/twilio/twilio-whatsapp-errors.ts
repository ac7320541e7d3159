import { DomainError } from '../../ports/errors.js';
import { twilioErrorMapper } from './twilio-error-mapping.js';

/** Free-form message outside the 24-hour window. Twilio usually reports it on the message (status callback), not the call. */
export const OUTSIDE_WINDOW_CODE = 63016;

const WHATSAPP_SENDER_STEP =
  'Send from a WhatsApp sender registered on this Twilio account (console → Messaging → Senders → WhatsApp senders), or configure messagingServiceSid with one.';
const CONTENT_SID_STEP = 'Pass the Content SID (HX…) of an approved template of this Twilio account as templateId.';

/** Advice for WhatsApp refusals where the SMS wording of the shared mapping would mislead. */
const WHATSAPP_NEXT_STEP_BY_CODE: Readonly<Record<number, string>> = {
  63007: WHATSAPP_SENDER_STEP,
  21606: WHATSAPP_SENDER_STEP,
  21910: 'Send from a WhatsApp sender to a WhatsApp user: both addresses must be on the WhatsApp channel.',
  21654: CONTENT_SID_STEP,
  21655: CONTENT_SID_STEP,
  21656: 'Give every template variable a non-empty text value, keyed as in the template ("1", "2" … or the placeholder names).',
};

/**
 * The SMS adapter's mapping (auth, invalid numbers, rate limits, timeouts, secret scrubbing), plus what only
 * WhatsApp has: the closed 24-hour window as TEMPLATE_REQUIRED, and WhatsApp wording for sender and template refusals.
 */
export function twilioWhatsAppErrorMapper(secrets: readonly string[], timeoutMs: number) {
  const toDomainError = twilioErrorMapper(secrets, timeoutMs);

  return function toWhatsAppError(err: unknown): DomainError {
    const failure = toDomainError(err, 'message');
    const code = failure.details.providerCode;
    if (code === OUTSIDE_WINDOW_CODE) {
      return new DomainError(
        'TEMPLATE_REQUIRED',
        'WhatsApp refused free-form text: the contact has not written in the last 24 hours (Twilio error 63016).',
        'Send an approved WhatsApp template instead (templateId = its Content SID, and templateVars), or wait until the contact writes; free-form messages are allowed for 24 hours after their last message.',
        failure.details,
      );
    }
    const advice = typeof code === 'number' && failure.code === 'PROVIDER_REJECTED' ? WHATSAPP_NEXT_STEP_BY_CODE[code] : undefined;
    // The shared advice points at the telephony options; this adapter is configured under `whatsapp`.
    const nextStep = advice ?? failure.nextStep?.replaceAll('of the telephony options', 'of the whatsapp options');
    return nextStep === failure.nextStep ? failure : new DomainError(failure.code, failure.message, nextStep, failure.details);
  };
}
