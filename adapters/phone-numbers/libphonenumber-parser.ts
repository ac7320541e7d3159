import { createRequire } from 'node:module';
import type * as LibphonenumberMax from 'libphonenumber-js/max';

/** One parse of a number, as both phone adapters read it. */
export interface ParsedPhone {
  /** `+`, country code and digits. */
  e164: string;
  country: string | null;
  /** The length fits the country code (what the phone numbers port accepts). */
  possible: boolean;
  /** In an assigned range (what the phone locations port needs); worked out at the first ask. */
  valid(): boolean;
}

/** Parses kept: agents write to the same contacts again and again, and a parse costs tens of µs. */
const CACHE_SIZE = 10_000;

/**
 * libphonenumber-js with its full ("max") metadata, shared by the phone numbers and phone locations adapters so
 * that a send parses its recipient once, not once to check it and again to find its time zone (issue 13: the
 * two parses were ~5 % of a send's CPU). The max metadata gives the same E.164 form, possibility and country as
 * the smaller default set (checked over every calling code) and adds validity, so one parse serves both.
 * Loaded at the first number parsed, not at start-up: a server that handles no number never needs it.
 */
export class LibphonenumberParser {
  private parseNumber: typeof LibphonenumberMax.parsePhoneNumberFromString | undefined;
  private readonly cache = new Map<string, ParsedPhone | null>();

  /** `text`: a number in international form (`+` and country code); null when it is no number at all. */
  parse(text: string): ParsedPhone | null {
    const hit = this.cache.get(text);
    if (hit !== undefined) return hit;
    // Required here, synchronously, because both ports answer synchronously.
    this.parseNumber ??= (createRequire(import.meta.url)('libphonenumber-js/max') as typeof LibphonenumberMax).parsePhoneNumberFromString;
    const number = this.parseNumber(text);
    const parsed = number ? parsedPhone(number) : null;
    this.remember(text, parsed);
    // The recipient is parsed as written, then located in E.164 form: both names find this parse.
    if (parsed && parsed.e164 !== text) this.remember(parsed.e164, parsed);
    return parsed;
  }

  private remember(key: string, parsed: ParsedPhone | null): void {
    // A full cache starts over: simpler than LRU bookkeeping, and refilled at once by the hot numbers.
    if (this.cache.size >= CACHE_SIZE) this.cache.clear();
    this.cache.set(key, parsed);
  }
}

function parsedPhone(number: LibphonenumberMax.PhoneNumber): ParsedPhone {
  let valid: boolean | undefined;
  return {
    e164: number.number,
    country: number.country ?? null,
    possible: number.isPossible(),
    valid: () => (valid ??= number.isValid()),
  };
}
