import { describe, expect, it } from 'vitest';
import { allowedEverywhere, inWindow, nextAllowed } from '../../core/compliance/quiet-hours.js';
import { formatLocal, offsetMinutes, zonedInstant } from '../../core/compliance/zoned-time.js';
import { LibphonenumberPhoneLocations } from '../../adapters/phone-locations/libphonenumber-phone-locations.js';

const DAY = { start: '08:00', end: '21:00' };
const at = (iso: string) => new Date(iso);

describe('zoned time (Intl, DST included)', () => {
  it('knows offsets on both sides of the US and EU clock changes', () => {
    expect(offsetMinutes(at('2026-03-08T06:59:00Z'), 'America/New_York')).toBe(-300);
    expect(offsetMinutes(at('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-240);
    expect(offsetMinutes(at('2026-10-25T00:59:00Z'), 'Europe/Berlin')).toBe(120);
    expect(offsetMinutes(at('2026-10-25T01:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(offsetMinutes(at('2026-07-01T12:00:00Z'), 'America/Phoenix')).toBe(-420);
  });

  it('finds the instant of a local time, and lands after a skipped hour', () => {
    expect(zonedInstant(2026, 3, 9, 8 * 60, 'America/New_York').toISOString()).toBe('2026-03-09T12:00:00.000Z');
    expect(zonedInstant(2026, 3, 7, 8 * 60, 'America/New_York').toISOString()).toBe('2026-03-07T13:00:00.000Z');
    // 02:30 does not exist in New York on 2026-03-08: the clocks go from 02:00 to 03:00.
    expect(zonedInstant(2026, 3, 8, 150, 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(formatLocal(at('2026-03-09T12:00:00Z'), 'America/New_York')).toBe('2026-03-09T08:00:00-04:00');
    expect(formatLocal(at('2026-12-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-12-01T05:30:00+05:30');
  });
});

describe('quiet-hours window', () => {
  it('is inclusive at its start and exclusive at its end; a window before its start spans midnight', () => {
    expect(inWindow(8 * 60, DAY)).toBe(true);
    expect(inWindow(8 * 60 - 1, DAY)).toBe(false);
    expect(inWindow(21 * 60 - 1, DAY)).toBe(true);
    expect(inWindow(21 * 60, DAY)).toBe(false);
    expect(inWindow(23 * 60, { start: '22:00', end: '06:00' })).toBe(true);
    expect(inWindow(5 * 60, { start: '22:00', end: '06:00' })).toBe(true);
    expect(inWindow(12 * 60, { start: '22:00', end: '06:00' })).toBe(false);
    expect(inWindow(0, { start: '00:00', end: '24:00' })).toBe(true);
  });

  it('answers now when allowed, else the next 08:00 in the recipient\'s zone', () => {
    expect(nextAllowed(at('2026-11-30T15:00:00Z'), ['America/New_York'], DAY)?.at.toISOString()).toBe('2026-11-30T15:00:00.000Z');
    // 21:30 in New York: tomorrow 08:00 EST.
    const next = nextAllowed(at('2026-12-01T02:30:00Z'), ['America/New_York'], DAY);
    expect(next).toEqual({ at: at('2026-12-01T13:00:00Z'), zone: 'America/New_York' });
    // 06:00 in Sydney (summer time, +11): 08:00 the same local day.
    expect(nextAllowed(at('2026-11-30T19:00:00Z'), ['Australia/Sydney'], DAY)?.at.toISOString()).toBe('2026-11-30T21:00:00.000Z');
  });

  it('follows DST: the morning after the spring change opens an hour earlier in UTC', () => {
    // Saturday 2026-03-07 22:00 EST → the next opening is Sunday 08:00 EDT (12:00 UTC), not 13:00.
    expect(nextAllowed(at('2026-03-08T03:00:00Z'), ['America/New_York'], DAY)?.at.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    // Autumn in Berlin: Sunday 2026-10-25 07:30 CET (06:30 UTC) → 08:00 CET is 07:00 UTC.
    expect(nextAllowed(at('2026-10-25T06:30:00Z'), ['Europe/Berlin'], DAY)?.at.toISOString()).toBe('2026-10-25T07:00:00.000Z');
  });

  it('for a number spanning zones, waits for the window that holds in all of them', () => {
    const idaho = ['America/Boise', 'America/Los_Angeles'];
    // 08:30 in Boise is 07:30 in Los Angeles: not yet; 08:00 Pacific (16:00 UTC in winter) is.
    expect(allowedEverywhere(at('2026-12-01T15:30:00Z'), idaho, DAY)).toBe(false);
    expect(nextAllowed(at('2026-12-01T15:30:00Z'), idaho, DAY)).toEqual({ at: at('2026-12-01T16:00:00Z'), zone: 'America/Los_Angeles' });
    // 20:30 in Los Angeles is 21:30 in Boise: closed until 08:00 Pacific tomorrow.
    expect(nextAllowed(at('2026-12-02T04:30:00Z'), idaho, DAY)?.at.toISOString()).toBe('2026-12-02T16:00:00.000Z');
  });

  it('says never when the zones share no allowed minute', () => {
    expect(nextAllowed(at('2026-12-01T00:00:00Z'), ['Pacific/Kiritimati', 'Pacific/Pago_Pago'], { start: '09:00', end: '10:00' })).toBeNull();
  });
});

describe('phone numbers to time zones (Google libphonenumber data)', () => {
  const locations = new LibphonenumberPhoneLocations();

  it('uses the North American area code, and the exchange where an area code spans zones', () => {
    expect(locations.locate('+12125550123')).toEqual({ country: 'US', timeZones: ['America/New_York'] });
    expect(locations.locate('+14165550123')).toEqual({ country: 'CA', timeZones: ['America/Toronto'] });
    expect(locations.locate('+12085550123').timeZones).toEqual(['America/Boise', 'America/Los_Angeles']);
    expect(locations.locate('+18085550123').timeZones).toEqual(['Pacific/Honolulu']);
  });

  it('uses the country elsewhere, with every zone of a country that spans several', () => {
    expect(locations.locate('+4915112345678')).toEqual({ country: 'DE', timeZones: ['Europe/Berlin'] });
    expect(locations.locate('+61255550100').timeZones).toEqual(['Australia/Sydney']);
    expect(locations.locate('+5511987654321')).toMatchObject({ country: 'BR', timeZones: ['America/Sao_Paulo'] });
  });

  it('gives a number of no assigned range (the fictional 555 01xx test numbers) no time zone, so quiet hours never refuse it', () => {
    expect(locations.locate('+15550100123')).toEqual({ country: null, timeZones: [] });
    expect(locations.locate('+447700900123')).toEqual({ country: null, timeZones: [] });
  });

  it('gives every zone of +1 where only the calling code places a valid number, so only the hours they share pass', () => {
    const zones = ['America/New_York', 'Pacific/Honolulu', 'Pacific/Guam', 'America/St_Johns'];
    const next = nextAllowed(at('2026-12-01T12:00:00Z'), zones, DAY);
    // Winter: 22:00 UTC is 08:00 in Guam and 12:00 in Honolulu, and still before 21:00 everywhere else.
    expect(next?.at.toISOString()).toBe('2026-12-01T22:00:00.000Z');
    expect(nextAllowed(at('2026-12-02T00:31:00Z'), zones, DAY)?.at.toISOString()).toBe('2026-12-02T22:00:00.000Z');
  });
});
