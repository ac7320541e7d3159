import { DomainError } from '../ports/errors.js';

/**
 * A pragmatic mailbox check (local@domain.tld, no spaces or angle brackets): providers do the strict
 * check, this catches typos before anything is stored.
 */
const ADDRESS = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]{2,}$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= 320 && ADDRESS.test(value);
}

export function requireEmailAddresses(values: readonly string[], field: string): string[] {
  return values.map((raw) => {
    const value = raw.trim();
    if (!isEmailAddress(value)) {
      throw new DomainError('INVALID_EMAIL_ADDRESS', `${field} contains an invalid email address.`, 'Use addresses such as name@example.com.', { field });
    }
    return value;
  });
}
