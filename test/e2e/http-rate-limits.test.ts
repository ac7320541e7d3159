import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

/** A Redis server for the shared-store test, when there is one (CI starts it). */
const REDIS_URL = process.env.COMMS_TEST_REDIS_URL;

type Limits = Record<string, { requests: number; perSeconds?: number }>;

/** Hour windows: none rolls over during a test on the real clock. */
function rateLimits(limits: Limits, store: Record<string, unknown> = {}): Record<string, unknown> {
  return { security: { rateLimits: { ...store, ...Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, { perSeconds: 3600, ...v }])) } } };
}

const get = (server: TestServer, path: string, token?: string): Promise<Response> =>
  fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function expectRateLimited(response: Response, scope: string): Promise<void> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await response.json()).toMatchObject({ error: { code: 'RATE_LIMITED', details: { scope, retryAfterSeconds: expect.any(Number) } } });
}

describe('per-IP request limits (memory store)', () => {
  let server: TestServer;
  let agent: { token: string };
  afterEach(() => server?.close());

  it('limits a route group with 429, Retry-After and a coded error, leaving other groups and health checks alone', async () => {
    server = await startTestServer({ extra: rateLimits({ api: { requests: 3 }, webhooks: { requests: 1 } }) });
    agent = await server.createAgent({ name: 'limited', phone: '+15550100041' });
    for (let i = 0; i < 3; i++) expect((await get(server, '/api/v1/agent', agent.token)).status).toBe(200);
    await expectRateLimited(await get(server, '/api/v1/agent', agent.token), 'api');
    // The webhooks group has its own counter: its first request passes, its second is over.
    expect((await fetch(`${server.url}/webhooks/sms`, { method: 'POST' })).status).not.toBe(429);
    await expectRateLimited(await fetch(`${server.url}/webhooks/sms`, { method: 'POST' }), 'webhooks');
    for (let i = 0; i < 5; i++) expect((await get(server, '/health')).status).toBe(200);
    expect((await get(server, '/health/ready')).status).toBe(200);
  });

  it('counts every group against the global limit, and admin routes in their own group', async () => {
    server = await startTestServer({ extra: rateLimits({ global: { requests: 4 }, admin: { requests: 1 } }) });
    agent = await server.createAgent({ name: 'limited', phone: '+15550100042' });
    expect((await get(server, '/api/v1/agents', ADMIN_TOKEN)).status).toBe(200);
    await expectRateLimited(await get(server, '/api/v1/agents', ADMIN_TOKEN), 'admin');
    expect((await get(server, '/api/v1/agent', agent.token)).status).toBe(200);
    expect((await get(server, '/openapi.json')).status).toBe(200);
    await expectRateLimited(await get(server, '/api/v1/agent', agent.token), 'global');
  });
});

/** Two server processes' worth of limits: two app instances on one shared store. */
async function sharedStoreShares(store: Record<string, unknown>, dbOf: () => Record<string, unknown> | undefined): Promise<void> {
  const keyPrefix = `test-${randomBytes(6).toString('hex')}`;
  const extra = rateLimits({ api: { requests: 3 } }, { ...store, keyPrefix });
  const first = await startTestServer({ extra, ...dbOf() });
  const second = await startTestServer({ extra, ...dbOf() });
  try {
    const a = await first.createAgent({ name: 'a', phone: '+15550100043' });
    const b = await second.createAgent({ name: 'b', phone: '+15550100044' });
    expect((await get(first, '/api/v1/agent', a.token)).status).toBe(200);
    expect((await get(first, '/api/v1/agent', a.token)).status).toBe(200);
    expect((await get(second, '/api/v1/agent', b.token)).status).toBe(200);
    // The fourth request from this address, to the other instance: over the shared limit.
    await expectRateLimited(await get(second, '/api/v1/agent', b.token), 'api');
    await expectRateLimited(await get(first, '/api/v1/agent', a.token), 'api');
  } finally {
    await first.close();
    await second.close();
  }
}

describe('per-IP request limits shared between instances', () => {
  it.runIf(REDIS_URL)('shares the counters through Redis (set COMMS_TEST_REDIS_URL to run, e.g. redis://127.0.0.1:6379)', async () => {
    await sharedStoreShares({ store: 'redis', redisUrl: REDIS_URL! }, () => undefined);
  });

  describe.runIf(POSTGRES_URL)('PostgreSQL', () => {
    let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
    beforeAll(async () => {
      schemas = await postgresSchemas(POSTGRES_URL!);
    });
    afterAll(async () => schemas?.close());

    it('shares the counters through a PostgreSQL table', async () => {
      const schema = schemas.fresh();
      const db = { use: 'postgresql', options: { url: POSTGRES_URL, schema, poolMax: 4 } };
      await sharedStoreShares({ store: 'postgresql', postgresUrl: POSTGRES_URL, postgresSchema: schema }, () => ({ db }));
      const [row] = await schemas.query<{ n: string }>(`select count(*) as n from "${schema}".rate_limits`);
      expect(Number(row?.n)).toBeGreaterThan(0);
    });
  });

  it('refuses to start on an unreachable store, naming the setting', async () => {
    await expect(startTestServer({ extra: rateLimits({}, { store: 'redis', redisUrl: 'redis://127.0.0.1:1' }) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID', message: expect.stringContaining('security.rateLimits.store is redis'),
    });
  });
});
