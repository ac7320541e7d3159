import { DomainError } from '../ports/errors.js';

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

export function requireE164(value: string, field: string): string {
  if (!isE164(value)) {
    throw new DomainError(
      'INVALID_PHONE_NUMBER',
      `${field} must be an E.164 phone number such as +15550100123.`,
      'Write the number with a leading + and the country code, digits only (no spaces or dashes).',
      { field },
    );
  }
  return value;
}
