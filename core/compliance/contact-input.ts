import { DomainError } from '../../ports/errors.js';
import { COMPLIANCE_CHANNELS } from '../../ports/compliance.js';
import { isEmailAddress } from '../email-address.js';
import type { PhoneNumbers } from '../../ports/phone-numbers.js';
import { normaliseContact } from './contact-hash.js';

/** A contact given to a compliance tool: an E.164 number or an email address, normalised. */
export function requireContact(phoneNumbers: PhoneNumbers, value: string, field = 'contact'): string {
  const contact = normaliseContact(value);
  if (contact.includes('@')) {
    if (isEmailAddress(contact)) return contact;
  } else {
    const number = phoneNumbers.parse(contact);
    if (number) return number.e164;
  }
  throw new DomainError(
    'INVALID_INPUT',
    `${field} must be an E.164 phone number (+15550100123) or an email address.`,
    'Write the number with + and country code, digits only, or a plain address.',
    { field },
  );
}

export const contactSchema = { type: 'string', minLength: 3, maxLength: 320, description: 'An E.164 phone number or an email address.' } as const;
export const channelSchema = { type: 'string', enum: [...COMPLIANCE_CHANNELS], description: 'sms, email, whatsapp, or voice (calls).' } as const;
