import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../core/keyset-cursor.js';
import { predecessorsOf } from '../../core/messages/status-transitions.js';
import { isE164 } from '../../core/phone-number.js';
import { retryDelayMs } from '../../core/callbacks/deliver-callbacks.js';

describe('E.164', () => {
  it.each(['+15550100123', '+442071838750', '+12'])('accepts %s', (n) => expect(isE164(n)).toBe(true));
  it.each(['15550100123', '+05550100', '+1 555 0100', '+1555010012345678', '', '+', 'whatsapp:+15550100123'])(
    'refuses %j', (n) => expect(isE164(n)).toBe(false),
  );
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
