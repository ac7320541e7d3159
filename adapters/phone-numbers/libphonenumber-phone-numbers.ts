import type { PhoneNumberFacts, PhoneNumbers } from '../../ports/phone-numbers.js';
import { LibphonenumberParser } from './libphonenumber-parser.js';

/** Digits with the separators people write; letters (vanity numbers) and extensions are refused. */
const INTERNATIONAL = /^\+[\d\s().-]+$/;

/**
 * Phone numbers by libphonenumber-js (Google's libphonenumber metadata). "Possible" (the length fits the
 * country code) is the test rather than "valid" (an assigned range): the reserved test range +1 555 01xx
 * is possible but not assigned, and a new range must not be refused before the metadata knows it.
 * `parser`: shared with the phone locations adapter, so a number is parsed once for both.
 */
export class LibphonenumberPhoneNumbers implements PhoneNumbers {
  constructor(private readonly parser = new LibphonenumberParser()) {}

  parse(text: string): PhoneNumberFacts | null {
    const trimmed = text.trim();
    if (!INTERNATIONAL.test(trimmed)) return null;
    const parsed = this.parser.parse(trimmed);
    return parsed?.possible ? { e164: parsed.e164, country: parsed.country } : null;
  }
}
