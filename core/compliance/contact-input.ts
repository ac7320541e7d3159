import { DomainError } from '../../ports/errors.js';
import { COMPLIANCE_CHANNELS } from '../../ports/compliance.js';
import { isEmailAddress } from '../email-address.js';
import { isE164 } from '../phone-number.js';
import { normaliseContact } from './contact-hash.js';

/** A contact given to a compliance tool: an E.164 number or an email address, normalised. */
export function requireContact(value: string, field = 'contact'): string {
  const contact = normaliseContact(value);
  if (isE164(contact) || isEmailAddress(contact)) return contact;
  throw new DomainError(
    'INVALID_INPUT',
    `${field} must be an E.164 phone number (+15550100123) or an email address.`,
    'Write the number with + and country code, digits only, or a plain address.',
    { field },
  );
}

export const contactSchema = { type: 'string', minLength: 3, maxLength: 320, description: 'An E.164 phone number or an email address.' } as const;
export const channelSchema = { type: 'string', enum: [...COMPLIANCE_CHANNELS], description: 'sms, email, whatsapp, or voice (calls).' } as const;
