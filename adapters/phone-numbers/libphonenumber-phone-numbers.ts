import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { PhoneNumberFacts, PhoneNumbers } from '../../ports/phone-numbers.js';

/** Digits with the separators people write; letters (vanity numbers) and extensions are refused. */
const INTERNATIONAL = /^\+[\d\s().-]+$/;
/** Parsed answers kept: agents write to the same contacts again and again, and a parse costs tens of µs. */
const CACHE_SIZE = 10_000;

/**
 * Phone numbers by libphonenumber-js (Google's libphonenumber metadata). "Possible" (the length fits the
 * country code) is the test rather than "valid" (an assigned range): the reserved test range +1 555 01xx
 * is possible but not assigned, and a new range must not be refused before the metadata knows it.
 */
export class LibphonenumberPhoneNumbers implements PhoneNumbers {
  private readonly cache = new Map<string, PhoneNumberFacts | null>();

  parse(text: string): PhoneNumberFacts | null {
    const trimmed = text.trim();
    if (!INTERNATIONAL.test(trimmed)) return null;
    let facts = this.cache.get(trimmed);
    if (facts === undefined) {
      const number = parsePhoneNumberFromString(trimmed);
      facts = number?.isPossible() ? { e164: number.number, country: number.country ?? null } : null;
      // A full cache starts over: simpler than LRU bookkeeping, and refilled at once by the hot numbers.
      if (this.cache.size >= CACHE_SIZE) this.cache.clear();
      this.cache.set(trimmed, facts);
    }
    return facts && { ...facts };
  }
}
