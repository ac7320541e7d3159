import { describe, expect, it } from 'vitest';
import { decimalToMicros, microsToDecimal, withMarkup } from '../../core/usage/money.js';
import { cachedEffectiveLimits, effectiveLimits } from '../../core/usage/effective-limits.js';
import { priceLine, unitPrice } from '../../core/usage/pricing.js';
import { countSmsSegments } from '../../core/usage/sms-segments.js';
import type { UsageSettings } from '../../core/usage/usage-settings.js';
import { windowAt } from '../../core/usage/windows.js';

describe('SMS segments, counted as carriers count them', () => {
  it.each([
    ['', 'GSM-7', 1],
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['Grüße aus Köln, 5€ für Ñoño @ £3 {ok}', 'GSM-7', 1],
  ] as const)('%#: %j is %s in %i segment(s)', (text, encoding, segments) => {
    expect(countSmsSegments(text)).toEqual({ encoding, segments });
  });

  it('counts extension characters (€ [ ] { } ~ ^ | \\ form feed) as two septets', () => {
    expect(countSmsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSmsSegments(`${'€'.repeat(80)}a`)).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(countSmsSegments('a'.repeat(159) + '[')).toEqual({ encoding: 'GSM-7', segments: 2 });
  });

  it('never splits an escape pair across concatenated segments (153 septets each)', () => {
    // 306 septets would fit 2 segments, but "€" after 152 septets cannot straddle: it opens segment 2 (2 + 152).
    expect(countSmsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
    expect(countSmsSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`).segments).toBe(2);
  });

  it('switches the whole text to UCS-2 for one character outside GSM-7: 70, then 67 per segment', () => {
    expect(countSmsSegments('Ñandú')).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments('ł'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments('ł'.repeat(71))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSmsSegments('ł'.repeat(134))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSmsSegments('ł'.repeat(135))).toEqual({ encoding: 'UCS-2', segments: 3 });
    expect(countSmsSegments(`${'a'.repeat(159)}ç`)).toEqual({ encoding: 'UCS-2', segments: 3 });
  });

  it('counts an emoji as two UTF-16 units and never splits the pair', () => {
    expect(countSmsSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments(`${'😀'.repeat(35)}a`)).toEqual({ encoding: 'UCS-2', segments: 2 });
    // 66 units then an emoji: it cannot take unit 67 and 68, so it opens segment 2.
    expect(countSmsSegments(`${'ł'.repeat(66)}😀${'ł'.repeat(66)}`).segments).toBe(3);
  });
});

describe('money in integer micro-units', () => {
  it('parses decimal amounts exactly and formats them back', () => {
    expect(decimalToMicros('0.0079')).toBe(7_900);
    expect(decimalToMicros('50')).toBe(50_000_000);
    expect(decimalToMicros('0.000001')).toBe(1);
    expect(microsToDecimal(decimalToMicros('1234.567891'))).toBe('1234.567891');
    expect(() => decimalToMicros('0.1234567')).toThrow(RangeError);
    expect(() => decimalToMicros('-1')).toThrow(RangeError);
  });

  it('adds a markup in basis points, rounding up to the micro-unit, never with float drift', () => {
    expect(withMarkup(7_900, 2_000)).toBe(9_480);
    expect(withMarkup(1, 1_250)).toBe(2);
    expect(withMarkup(10_000, 0)).toBe(10_000);
    // 0.1 + 0.2 style sums stay exact: 3 × 0.1 = 0.3.
    expect(microsToDecimal(3 * decimalToMicros('0.1'))).toBe('0.300000');
  });
});

const settings: UsageSettings = {
  enabled: true, currency: 'USD', defaultTier: 'standard', callReserveMinutes: 5, holdSeconds: 900, alertThresholds: [80, 100],
  tiers: {
    standard: { markupPercent: 20, actions: { sms: { perMinute: 10, perDay: 100 } }, spend: { perDay: '5' }, perContact: { messagesPerDay: 3 } },
    gold: { markupPercent: 12.5 },
  },
  prices: [
    { provider: '*', channel: 'sms', unitPrice: '0.0079' },
    { provider: '*', channel: 'sms', prefix: '+44', unitPrice: '0.04' },
    { provider: 'twilio', channel: 'sms', prefix: '+4', unitPrice: '0.03' },
    { provider: 'twilio', channel: 'sms', unitPrice: '0.0083' },
    { provider: '*', channel: 'tts', unitPrice: '0.00018' },
  ],
};

describe('price table', () => {
  it('picks the most specific entry: a named provider over *, then the longest prefix', () => {
    expect(unitPrice(settings.prices, 'mock', 'sms', '+15550100001').micros).toBe(7_900);
    expect(unitPrice(settings.prices, 'mock', 'sms', '+447700900123')).toEqual({ micros: 40_000, prefix: '+44' });
    expect(unitPrice(settings.prices, 'twilio', 'sms', '+447700900123')).toEqual({ micros: 30_000, prefix: '+4' });
    expect(unitPrice(settings.prices, 'twilio', 'sms', '+15550100001').micros).toBe(8_300);
    expect(unitPrice(settings.prices, 'mock', 'voice', '+15550100001').micros).toBe(0);
  });

  it('prices a line as units × unit price', () => {
    expect(priceLine(settings, { channel: 'voice', action: 'tts', units: 1_000, unit: 'character', provider: 'mock', to: null }).costMicros).toBe(180_000);
  });
});

describe('tiers and overrides', () => {
  it('resolves the default tier, another tier, and overrides (null removes a limit)', () => {
    const base = effectiveLimits(settings, null);
    expect(base).toMatchObject({ tier: 'standard', markupBasisPoints: 2_000, spend: { day: 5_000_000, month: null }, perContact: { message: 3, call: null } });
    expect(base.actions.sms).toEqual({ minute: 10, hour: null, day: 100 });
    const gold = effectiveLimits(settings, { agentId: 'a', tier: 'gold', overrides: {}, updatedAt: new Date() });
    expect(gold).toMatchObject({ tier: 'gold', markupBasisPoints: 1_250, spend: { day: null } });
    const own = effectiveLimits(settings, { agentId: 'a', tier: null, overrides: { actions: { sms: { perMinute: null } }, spend: { perMonth: '20' } }, updatedAt: new Date() });
    expect(own.actions.sms).toEqual({ minute: null, hour: null, day: 100 });
    expect(own.spend).toEqual({ day: 5_000_000, month: 20_000_000 });
  });

  it('resolves a limits record once (sends share the frozen result), and a changed record or settings anew', () => {
    const record = { agentId: 'a', tier: 'gold', overrides: {}, updatedAt: new Date() };
    const first = cachedEffectiveLimits(settings, record);
    expect(first).toEqual(effectiveLimits(settings, record));
    expect(cachedEffectiveLimits(settings, record)).toBe(first);
    expect(Object.isFrozen(first.actions.sms)).toBe(true);
    const changed = { ...record, overrides: { markupPercent: 5 } };
    expect(cachedEffectiveLimits(settings, changed).markupBasisPoints).toBe(500);
    expect(cachedEffectiveLimits(settings, null)).toBe(cachedEffectiveLimits(settings, null));
    expect(cachedEffectiveLimits(settings, null).tier).toBe('standard');
    expect(cachedEffectiveLimits({ ...settings, defaultTier: 'gold' }, null).tier).toBe('gold');
  });
});

describe('UTC windows', () => {
  it('aligns minutes, hours, days and months, across a year end', () => {
    const at = new Date('2026-12-31T23:59:59.999Z');
    expect(windowAt('minute', at)).toMatchObject({ start: new Date('2026-12-31T23:59:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(windowAt('hour', at).start).toEqual(new Date('2026-12-31T23:00:00Z'));
    expect(windowAt('day', at).end).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect(windowAt('month', at)).toMatchObject({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  });
});
