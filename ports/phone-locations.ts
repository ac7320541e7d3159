/** Where a phone number rings, as far as the number itself tells. */
export interface PhoneLocation {
  /** ISO 3166-1 alpha-2 region ("US", "GB"), null when the number alone does not tell it. */
  country: string | null;
  /**
   * IANA time zones the number may be in: one for most numbers, several where its area spans zones
   * (an Idaho area code: Boise and Los Angeles), every zone of its calling code when nothing narrower
   * is known. Empty for a number in no assigned range (the fictional +1 555 01xx test numbers), which
   * rings no one, and for an unknown calling code.
   */
  timeZones: string[];
}

/** Phone-number geography for core (quiet hours in the recipient's local time). */
export interface PhoneLocations {
  /** `e164` is already validated E.164. Synchronous and cheap: it runs on every call and text. */
  locate(e164: string): PhoneLocation;
}
