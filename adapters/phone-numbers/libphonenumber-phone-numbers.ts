import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { PhoneNumberFacts, PhoneNumbers } from '../../ports/phone-numbers.js';

/** Digits with the separators people write; letters (vanity numbers) and extensions are refused. */
const INTERNATIONAL = /^\+[\d\s().-]+$/;

/**
 * Phone numbers by libphonenumber-js (Google's libphonenumber metadata). "Possible" (the length fits the
 * country code) is the test rather than "valid" (an assigned range): the reserved test range +1 555 01xx
 * is possible but not assigned, and a new range must not be refused before the metadata knows it.
 */
export class LibphonenumberPhoneNumbers implements PhoneNumbers {
  parse(text: string): PhoneNumberFacts | null {
    const trimmed = text.trim();
    if (!INTERNATIONAL.test(trimmed)) return null;
    const number = parsePhoneNumberFromString(trimmed);
    if (!number?.isPossible()) return null;
    return { e164: number.number, country: number.country ?? null };
  }
}
