import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthLockout } from '../../hosts/http/hardening/auth-lockout.js';
import { clientIpResolver } from '../../hosts/http/hardening/client-ip.js';
import { IpFilter } from '../../hosts/http/hardening/ip-ranges.js';
import { openLimiterStore } from '../../hosts/http/hardening/limiter-store.js';
import { routeGrouper } from '../../hosts/http/hardening/route-groups.js';
import type { AuthFailureBurst } from '../../ports/security-events.js';
import { FakeClock } from '../support/fake-clock.js';

describe('IP filters', () => {
  it('matches IPv4 and IPv6 ranges, IPv4-mapped addresses as IPv4, deny before allow', () => {
    const filter = new IpFilter({ allow: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'], deny: ['10.9.0.0/16'] }, 'x');
    expect(filter.allows('10.1.2.3')).toBe(true);
    expect(filter.allows('::ffff:10.1.2.3')).toBe(true);
    expect(filter.allows('10.9.1.1')).toBe(false);
    expect(filter.allows('2001:db8::1')).toBe(true);
    expect(filter.allows('192.0.2.7')).toBe(true);
    expect(filter.allows('192.0.2.8')).toBe(false);
    expect(filter.allows('not an address')).toBe(false);
    expect(new IpFilter({ allow: [], deny: ['::ffff:127.0.0.0/104'] }, 'x').allows('127.0.0.1')).toBe(false);
    expect(new IpFilter({ allow: [], deny: [] }, 'x').allows('203.0.113.1')).toBe(true);
  });

  it('refuses a malformed entry with the key it sits under', () => {
    expect(() => new IpFilter({ allow: ['10.0.0.0/33'], deny: [] }, 'security.ipFilters.admin')).toThrow(/security\.ipFilters\.admin\.allow: "10\.0\.0\.0\/33"/);
  });
});

describe('client address', () => {
  const request = (peer: string, forwarded?: string) =>
    ({ socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as IncomingMessage;

  it('takes X-Forwarded-For only from trusted proxies, the nearest untrusted hop', () => {
    const resolve = clientIpResolver(['10.0.0.0/8']);
    expect(resolve(request('10.0.0.5', '203.0.113.9, 10.0.0.7'))).toBe('203.0.113.9');
    expect(resolve(request('198.51.100.1', '203.0.113.9'))).toBe('198.51.100.1');
    expect(resolve(request('::ffff:198.51.100.1'))).toBe('198.51.100.1');
    expect(clientIpResolver([])(request('127.0.0.1', '203.0.113.9'))).toBe('127.0.0.1');
  });

  it('without trusted proxies, answers each connection with its own peer (kept per connection, not per server)', () => {
    const resolve = clientIpResolver([]);
    const first = request('::ffff:198.51.100.1');
    const second = request('203.0.113.9');
    expect(resolve(first)).toBe('198.51.100.1');
    expect(resolve(second)).toBe('203.0.113.9');
    expect(resolve(first)).toBe('198.51.100.1');
  });
});

describe('route groups', () => {
  it('sorts requests by path, admin routes by method and path', () => {
    const group = routeGrouper([{ method: 'GET', path: '/agents' }, { method: 'POST', path: '/agents/:agentId/token' }]);
    expect(group('GET', '/health/ready')).toBe('health');
    expect(group('POST', '/mcp')).toBe('mcp');
    expect(group('POST', '/webhooks/agt_1/sms')).toBe('webhooks');
    expect(group('GET', '/unsubscribe/agt_1/tok')).toBe('webhooks');
    expect(group('GET', '/api/v1/agents')).toBe('admin');
    expect(group('POST', '/api/v1/agents/agt_1/token')).toBe('admin');
    expect(group('GET', '/api/v1/agent')).toBe('api');
    expect(group('GET', '/metrics')).toBe('metrics');
    expect(group('GET', '/openapi.json')).toBe('other');
  });
});

describe('auth lockout periods', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('doubles the lockout at each new one, up to the longest, and forgets after it', async () => {
    const store = await openLimiterStore({ store: 'memory', redisUrl: '', keyPrefix: 't', global: { requests: 0, perSeconds: 1 }, mcp: { requests: 0, perSeconds: 1 }, api: { requests: 0, perSeconds: 1 }, webhooks: { requests: 0, perSeconds: 1 }, admin: { requests: 0, perSeconds: 1 } });
    const bursts: AuthFailureBurst[] = [];
    const lockout = new AuthLockout(store, { enabled: true, failures: 3, windowSeconds: 60, firstLockSeconds: 60, maxLockSeconds: 200 }, { authFailureBurst: (b) => bursts.push(b) }, new FakeClock(new Date('2026-11-30T12:00:00Z')));
    const ip = '203.0.113.5';
    const lockedFor = async (): Promise<number> => {
      for (let i = 0; i < 3; i++) await lockout.failed(ip);
      return bursts.at(-1)!.lockedForSeconds;
    };
    expect(await lockedFor()).toBe(60);
    await expect(lockout.check(ip)).rejects.toMatchObject({ code: 'AUTH_LOCKED_OUT', details: { retryAfterSeconds: 60 } });
    await expect(lockout.check('198.51.100.2')).resolves.toBeUndefined();
    vi.advanceTimersByTime(59_000);
    await expect(lockout.check(ip)).rejects.toMatchObject({ code: 'AUTH_LOCKED_OUT' });
    vi.advanceTimersByTime(1_001);
    await expect(lockout.check(ip)).resolves.toBeUndefined();
    expect(await lockedFor()).toBe(120);
    vi.advanceTimersByTime(120_001);
    expect(await lockedFor()).toBe(200);
    expect(bursts.map((b) => b.lockoutNumber)).toEqual([1, 2, 3]);
    await store.close();
  });
});
