import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DomainError } from '../../../ports/errors.js';
import type { SecuritySettings } from '../../config/security-settings.js';

/** Counters kept per key (client IP) over a window, in this process or in a store shared between processes. */
export interface LimiterStore {
  /** `name` separates counters of different purposes in one store. */
  limiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract;
  close(): Promise<void>;
}

const TABLE = 'rate_limits';

/** The URL as it may be shown: a password in it never reaches a message or a log. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured Redis URL';
  }
}

/**
 * The store named by `security.rateLimits.store`. Shared stores fall back to counting in memory while
 * unreachable (an insurance limiter), so an outage of Redis or PostgreSQL loosens limits to per-process
 * ones rather than refusing every request.
 */
export async function openLimiterStore(settings: SecuritySettings['rateLimits']): Promise<LimiterStore> {
  const prefix = settings.keyPrefix;
  const memory = (name: string, points: number, duration: number) => new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration });
  if (settings.store === 'memory') return { limiter: memory, close: async () => {} };

  if (settings.store === 'redis') {
    // Loaded only for this store: a server counting in memory never loads the Redis client.
    const { Redis } = await import('ioredis');
    // No offline queue: while Redis is down a call fails at once and the insurance limiter answers.
    const redis = new Redis(settings.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => {}); // reconnects by itself; failures are answered by the insurance limiter
    await redis.connect().catch((err: unknown) => {
      redis.disconnect();
      throw new DomainError('CONFIG_INVALID', `security.rateLimits.store is redis, but ${withoutPassword(settings.redisUrl)} is unreachable: ${(err as Error).message}`, 'Start Redis, fix security.rateLimits.redisUrl, or use store: memory.');
    });
    return {
      limiter: (name, points, duration) =>
        new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points, duration, insuranceLimiter: memory(name, points, duration) }),
      close: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }

  if (!settings.postgresUrl) throw new DomainError('CONFIG_INVALID', 'security.rateLimits.store is postgresql but postgresUrl is not set.', 'Set security.rateLimits.postgresUrl (e.g. ${DATABASE_URL}).');
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: settings.postgresUrl, max: 4 });
  pool.on('error', () => {}); // an idle client's failure; the next query reports its own
  const table = settings.postgresSchema ? `"${settings.postgresSchema}"."${TABLE}"` : `"${TABLE}"`;
  try {
    // Created here once (the library would create it per limiter, racing itself); 23505 is a concurrent creation.
    await pool.query(`create table if not exists ${table} (key varchar(255) primary key, points integer not null default 0, expire bigint)`).catch((err: { code?: string }) => {
      if (err.code !== '23505') throw err;
    });
  } catch (err) {
    await pool.end();
    throw new DomainError('CONFIG_INVALID', `security.rateLimits.store is postgresql, but the table could not be created: ${(err as Error).message}`, 'Check security.rateLimits.postgresUrl and postgresSchema.');
  }
  return {
    limiter: (name, points, duration) =>
      new RateLimiterPostgres({
        storeClient: pool, storeType: 'pool', tableName: TABLE, schemaName: settings.postgresSchema, tableCreated: true,
        keyPrefix: `${prefix}:${name}`, points, duration, insuranceLimiter: memory(name, points, duration),
      }),
    close: () => pool.end(),
  };
}
