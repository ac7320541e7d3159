/** What a phone number tells once parsed. Grows with what callers need (time zones for quiet hours …). */
export interface PhoneNumberFacts {
  /** The number in E.164 form: `+`, country code and digits only. */
  e164: string;
  /**
   * ISO 3166-1 alpha-2 region of the number ("GB", "US") when the number alone tells it; null when it
   * does not (a shared code such as +1 with an unassigned area code, or a non-geographic number).
   */
  country: string | null;
}

/**
 * Phone-number knowledge for core, kept behind a port so that core stays free of libraries. A later
 * fact about a number (the time zones its region spans, for quiet hours) is a new optional field of
 * PhoneNumberFacts filled by the adapter, so no call site changes.
 */
export interface PhoneNumbers {
  /**
   * Parses a number written in international form: a leading `+` and the country code, with spaces,
   * dots, dashes or brackets allowed between digits ("+1 (555) 010-0123"). Returns null when the text
   * is not such a number or cannot be a number of its country code (too short or too long, e.g. `+1555`).
   */
  parse(text: string): PhoneNumberFacts | null;
}
