import { DomainError } from '../ports/errors.js';
import type { PhoneNumbers } from '../ports/phone-numbers.js';

/**
 * The number in E.164 form, normalised from what a person or an agent wrote ("+1 (555) 010-0123" →
 * "+15550100123"); INVALID_PHONE_NUMBER naming the field when it cannot be a phone number.
 */
export function requireE164(phoneNumbers: PhoneNumbers, value: string, field: string): string {
  const parsed = phoneNumbers.parse(value);
  if (!parsed) {
    throw new DomainError(
      'INVALID_PHONE_NUMBER',
      `${field} is not a possible phone number: write it in international form such as +15550100123.`,
      'Start with + and the country code; spaces, dashes, dots and brackets are fine.',
      { field },
    );
  }
  return parsed.e164;
}
