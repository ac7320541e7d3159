import { describe, expect, it } from 'vitest';
import { LibphonenumberParser } from '../../adapters/phone-numbers/libphonenumber-parser.js';
import { LibphonenumberPhoneLocations } from '../../adapters/phone-locations/libphonenumber-phone-locations.js';
import { LibphonenumberPhoneNumbers } from '../../adapters/phone-numbers/libphonenumber-phone-numbers.js';

describe('one parse of a number for the phone numbers and phone locations adapters', () => {
  it('finds a number written with separators again under its E.164 form, without parsing it anew', () => {
    const parser = new LibphonenumberParser();
    const written = parser.parse('+1 (555) 010-0123');
    expect(written).toMatchObject({ e164: '+15550100123', possible: true });
    expect(parser.parse('+15550100123')).toBe(written);
  });

  it('tells possibility and validity apart: the +1 555 01xx test range is possible, in no assigned range', () => {
    const parser = new LibphonenumberParser();
    expect(parser.parse('+15550100123')?.valid()).toBe(false);
    expect(parser.parse('+1555')?.possible).toBe(false);
    expect(parser.parse('+44 20 7946 0958')).toMatchObject({ e164: '+442079460958', country: 'GB', possible: true });
    expect(parser.parse('+442079460958')?.valid()).toBe(true);
  });

  it('serves both ports from one shared parser as each did alone', () => {
    const parser = new LibphonenumberParser();
    const numbers = new LibphonenumberPhoneNumbers(parser);
    const locations = new LibphonenumberPhoneLocations(parser);
    expect(numbers.parse(' +44 20 7946 0958 ')).toEqual({ e164: '+442079460958', country: 'GB' });
    expect(locations.locate('+442079460958')).toEqual({ country: 'GB', timeZones: ['Europe/London'] });
    expect(numbers.parse('+1 555 010 0199')).toEqual({ e164: '+15550100199', country: null });
    expect(locations.locate('+15550100199')).toEqual({ country: null, timeZones: [] });
    expect(numbers.parse('+1555')).toBeNull();
    expect(numbers.parse('555 010 0199')).toBeNull();
  });
});
