import { afterEach, describe, expect, it } from 'vitest';
import type { AuthFailureBurst } from '../../ports/security-events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ATTACKER = '203.0.113.66';
const ELSEWHERE = '198.51.100.7';

describe('brute-force lockout', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  /** The loopback test client stands for a reverse proxy, so each request can say which address it is from. */
  async function start(lockout: Record<string, unknown>): Promise<{ token: string; bursts: AuthFailureBurst[] }> {
    server = await startTestServer({ extra: { security: { trustedProxies: ['127.0.0.1', '::1'], lockout } } });
    const bursts: AuthFailureBurst[] = [];
    const log = server.app.securityEvents.authFailureBurst;
    server.app.securityEvents.authFailureBurst = (burst) => {
      bursts.push(burst);
      log(burst);
    };
    const { token } = await server.createAgent({ name: 'target', phone: '+15550100051' });
    return { token, bursts };
  }

  const call = (from: string, token: string): Promise<Response> =>
    fetch(`${server.url}/api/v1/agent`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } });

  it('locks out an address flooding bad tokens, never the valid token used from elsewhere', async () => {
    const { token, bursts } = await start({ failures: 5, windowSeconds: 3600, firstLockSeconds: 600 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(ATTACKER, `aoc_guess_${i}`)).status);
    // Five guesses were looked at; every one after them was refused unread.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    const locked = await call(ATTACKER, 'aoc_another_guess');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(await locked.json()).toMatchObject({ error: { code: 'AUTH_LOCKED_OUT', details: { retryAfterSeconds: expect.any(Number) } } });
    // A valid token from the locked address is refused too (checking it would answer the attacker's guesses) …
    expect((await call(ATTACKER, token)).status).toBe(429);
    // … and works from any other address.
    expect((await call(ELSEWHERE, token)).status).toBe(200);
    expect(bursts).toEqual([expect.objectContaining({ ip: ATTACKER, failures: 5, lockedForSeconds: 600, lockoutNumber: 1 })]);
  });

  it('locks out a concurrent flood too (guesses already in flight when it starts are still answered)', async () => {
    const { token, bursts } = await start({ failures: 10, windowSeconds: 3600 });
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => call(ATTACKER, `aoc_flood_${i}`).then((r) => r.status)));
    console.log(`lockout flood: 200 concurrent bad tokens, ${flood.filter((s) => s === 401).length} looked at, ${flood.filter((s) => s === 429).length} refused unread`);
    expect(flood.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(flood.filter((s) => s === 401).length).toBeGreaterThanOrEqual(10);
    expect((await call(ATTACKER, 'aoc_after')).status).toBe(429);
    expect((await call(ELSEWHERE, token)).status).toBe(200);
    expect(bursts).toHaveLength(1);
  });

  it('does not count requests without a token, nor valid ones', async () => {
    const { token } = await start({ failures: 2, windowSeconds: 3600 });
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${server.url}/api/v1/agent`, { headers: { 'x-forwarded-for': ATTACKER } })).status).toBe(401);
      expect((await call(ATTACKER, token)).status).toBe(200);
    }
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    server = await startTestServer({ extra: { security: { lockout: { failures: 2, windowSeconds: 3600 } } } });
    const { token } = await server.createAgent({ name: 'target', phone: '+15550100052' });
    for (let i = 0; i < 3; i++) await call(ATTACKER, `aoc_guess_${i}`);
    // Without trustedProxies the header is ignored: the lockout is on the real peer (loopback), whatever it claims.
    expect((await call(ELSEWHERE, token)).status).toBe(429);
  });
});
