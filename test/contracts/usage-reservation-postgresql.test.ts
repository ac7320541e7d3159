/**
 * The PostgreSQL reservation statement commits without waiting for the WAL flush (see
 * usage-repository.ts): that setting must stay local to the statement's own transaction, or the pooled
 * connection would carry it into every later write — messages, calls, audit entries — which must stay
 * durable when they commit. Here the pool has one connection, so the next statement runs on the same one.
 */
import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRESQL_MIGRATIONS } from '../../adapters/mikro-orm/migrations/postgresql/postgresql-migrations.js';
import { sharedOrmOptions } from '../../adapters/mikro-orm/orm-options.js';
import { PostgresqlExecutor, postgresqlCodec } from '../../adapters/mikro-orm/postgresql-executor.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { SqlAgentRepository } from '../../adapters/mikro-orm/agent-repository.js';
import { SqlUsageRepository } from '../../adapters/mikro-orm/usage-repository.js';
import { silentLogger } from '../../adapters/node/pino-logger.js';
import type { CounterClaim } from '../../ports/usage.js';
import { databasePluginContext } from '../../contracts/database.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const DAY = { windowStart: new Date('2026-11-24T00:00:00.000Z'), windowEnd: new Date('2026-11-25T00:00:00.000Z') };
const claim = (counter: string, amount: number, cap: number): CounterClaim => ({ counter, amount, cap, ...DAY });

describe.skipIf(!POSTGRES_URL)('PostgreSQL usage reservation (one pooled connection)', () => {
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
  let orm: MikroORM;
  let executor: PostgresqlExecutor;
  let usage: SqlUsageRepository;
  const setting = async (): Promise<unknown> => (await executor.run((s) => s.rows('SHOW synchronous_commit', [])))[0]?.synchronous_commit;

  beforeAll(async () => {
    schemas = await postgresSchemas(POSTGRES_URL!);
    const schema = schemas.fresh();
    const db = await postgresqlPlugin.create({ url: POSTGRES_URL!, schema }, databasePluginContext(tmpdir()));
    await db.migrate();
    await db.close();
    orm = await MikroORM.init({
      ...sharedOrmOptions(silentLogger(), POSTGRESQL_MIGRATIONS),
      clientUrl: POSTGRES_URL!,
      schema,
      pool: { min: 0, max: 1 },
      driverOptions: { searchPath: [schema] },
    });
    executor = new PostgresqlExecutor(orm, postgresqlCodec((value) => orm.em.getPlatform().parseDate(value)));
    usage = new SqlUsageRepository(executor);
    await new SqlAgentRepository(executor).create({
      id: 'agt_async', name: 'async', tokenHash: 'hash-async', callbackUrl: null, callbackSecret: 'whsec_x', status: 'active', voice: {}, createdAt: NOW, updatedAt: NOW,
    }, []);
  });

  afterAll(async () => {
    await orm?.close(true);
    await schemas?.close();
  });

  it('leaves the connection committing synchronously after a reservation, admitted or refused', async () => {
    expect(await setting()).toBe('on');
    expect(await usage.reserve('agt_async', [claim('sms:minute', 1, 1), claim('spend:day', 5, 100)], [])).toMatchObject({ ok: true });
    expect(await setting()).toBe('on');
    expect(await usage.reserve('agt_async', [claim('sms:minute', 1, 1), claim('spend:day', 5, 100)], [])).toMatchObject({ ok: false, refused: { counter: 'sms:minute' } });
    expect(await setting()).toBe('on');
  });

  it('leaves it so after the one-statement claim of a batching repository too, admitted or refused (CU001, then one call)', async () => {
    const batching = new SqlUsageRepository(executor, () => undefined, { concurrency: 1, maxBatch: 8 });
    expect(await batching.reserve('agt_async', [claim('sms:hour', 1, 1), claim('spend:day', 5, 100)], [])).toMatchObject({ ok: true });
    expect(await setting()).toBe('on');
    expect(await batching.reserve('agt_async', [claim('sms:hour', 1, 1), claim('spend:day', 5, 100)], [])).toMatchObject({ ok: false, refused: { counter: 'sms:hour' } });
    expect(await setting()).toBe('on');
  });
});
