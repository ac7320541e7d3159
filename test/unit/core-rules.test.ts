import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../core/keyset-cursor.js';
import { predecessorsOf } from '../../core/messages/status-transitions.js';
import { requireE164 } from '../../core/phone-number.js';
import { LibphonenumberPhoneNumbers } from '../../adapters/phone-numbers/libphonenumber-phone-numbers.js';
import { retryDelayMs } from '../../core/callbacks/deliver-callbacks.js';

describe('phone numbers (requireE164 through the libphonenumber adapter)', () => {
  const phones = new LibphonenumberPhoneNumbers();
  const codeOf = (text: string): string | undefined => {
    try {
      requireE164(phones, text, 'to');
    } catch (err) {
      return (err as { code?: string }).code;
    }
    return undefined;
  };
  it.each([
    ['+15550100123', '+15550100123'], ['+1 (555) 010-0123', '+15550100123'], ['  +1.555.010.0123 ', '+15550100123'],
    ['+44 20 7946 0018', '+442079460018'], ['+86 138 0013 8000', '+8613800138000'],
  ])('normalises %j to %s', (text, e164) => expect(requireE164(phones, text, 'to')).toBe(e164));
  it.each(['+1555', '15550100123', '+05550100', '+1555010012345678', '', '+', 'whatsapp:+15550100123', '+1 800 FLOWERS', '+999 123456'])(
    'refuses %j as INVALID_PHONE_NUMBER', (text) => expect(codeOf(text)).toBe('INVALID_PHONE_NUMBER'),
  );
  it('answers a repeated number from its cache, unchanged by what a caller did with an earlier answer', () => {
    const first = phones.parse('+44 20 7946 0018')!;
    first.e164 = 'tampered';
    expect(phones.parse('+44 20 7946 0018')).toEqual({ e164: '+442079460018', country: 'GB' });
    expect(phones.parse('+1555')).toBeNull();
    expect(phones.parse('+1555')).toBeNull();
  });

  it('tells the country when the number does', () => {
    expect(phones.parse('+44 20 7946 0018')).toEqual({ e164: '+442079460018', country: 'GB' });
    expect(phones.parse('+15550100123')).toEqual({ e164: '+15550100123', country: null });
  });
});

describe('status transitions', () => {
  it('only moves forward along the delivery path', () => {
    expect(predecessorsOf('delivered')).toEqual(['pending', 'accepted', 'queued', 'sending', 'sent']);
    expect(predecessorsOf('sent')).not.toContain('delivered');
    expect(predecessorsOf('read')).toContain('delivered');
  });

  it('lets a failure replace any not-yet-delivered status, and nothing replace a failure', () => {
    expect(predecessorsOf('undelivered')).toEqual(['pending', 'accepted', 'queued', 'sending', 'sent']);
    for (const next of ['sent', 'delivered', 'read', 'failed'] as const) expect(predecessorsOf(next)).not.toContain('failed');
  });

  it('never applies pending or received from a provider', () => {
    expect(predecessorsOf('pending')).toEqual([]);
    expect(predecessorsOf('received')).toEqual([]);
  });
});

describe('message cursor', () => {
  it('round-trips createdAt and id', () => {
    const createdAt = new Date('2026-11-24T10:00:00.123Z');
    const cursor = encodeCursor({ createdAt, id: 'msg_x' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ createdAt, id: 'msg_x' });
  });

  it('refuses a forged cursor with INVALID_INPUT', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => decodeCursor(btoa('[1,2,3]'))).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('callback retry schedule', () => {
  it('backs off exponentially and caps at an hour', () => {
    expect(retryDelayMs(1)).toBe(2000);
    expect(retryDelayMs(3)).toBe(8000);
    expect(retryDelayMs(30)).toBe(3_600_000);
  });
});
