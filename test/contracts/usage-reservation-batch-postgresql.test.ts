/**
 * PostgreSQL reservations that arrive while one is in flight share one statement (postgresql-reservation-batch.ts):
 * the plain claim of postgresql-reservation-claim.ts when every counter has room for the whole batch, else one call
 * of comms_reserve_usage. Each must still be all or nothing on its own, the caps exact, a failing batch must fall
 * back to one statement per reservation, and batches from two pools (two server processes) must not deadlock.
 * The executor is the real one, wrapped only to count the reservation statements and the errors they raise.
 */
import { tmpdir } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRESQL_MIGRATIONS } from '../../adapters/mikro-orm/migrations/postgresql/postgresql-migrations.js';
import { sharedOrmOptions } from '../../adapters/mikro-orm/orm-options.js';
import { PostgresqlExecutor, postgresqlCodec } from '../../adapters/mikro-orm/postgresql-executor.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { SqlAgentRepository } from '../../adapters/mikro-orm/agent-repository.js';
import type { SqlExecutor, SqlSession } from '../../adapters/mikro-orm/sql-executor.js';
import { SqlUsageRepository } from '../../adapters/mikro-orm/usage-repository.js';
import { silentLogger } from '../../adapters/node/pino-logger.js';
import type { ClaimOutcome, CounterClaim, UsageRecord } from '../../ports/usage.js';
import { databasePluginContext } from '../../contracts/database.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const DAY = { windowStart: new Date('2026-11-24T00:00:00.000Z'), windowEnd: new Date('2026-11-25T00:00:00.000Z') };
const claim = (counter: string, amount: number, cap: number): CounterClaim => ({ counter, amount, cap, ...DAY });
const AGENTS = ['agt_a', 'agt_b', 'agt_c', 'agt_d'];
/** Lets a finished batch leave the queue (its callers resume before it does), so the next reservation goes alone. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The reservation statements an executor ran: calls of comms_reserve_usage (`inTurn`) and one-statement claims
 * (`together`, guarded by comms_usage_claimed), and the errors they raised.
 */
interface Tally { inTurn: number; together: number; errors: string[] }

function counted(executor: PostgresqlExecutor, tally: Tally): SqlExecutor {
  const watched = async <T>(sql: string, statement: () => Promise<T>): Promise<T> => {
    if (sql.includes('comms_reserve_usage')) tally.inTurn++;
    else if (sql.includes('comms_usage_claimed')) tally.together++;
    else return statement();
    try {
      return await statement();
    } catch (err) {
      tally.errors.push(String((err as { code?: unknown }).code ?? err));
      throw err;
    }
  };
  const watch = (session: SqlSession): SqlSession => ({
    run: (sql, params) => session.run(sql, params),
    rows: (sql, params) => watched(sql, () => session.rows(sql, params)),
  });
  return {
    dialect: executor.dialect, codec: executor.codec, drain: () => executor.drain(),
    run: (work) => executor.run((session) => work(watch(session))),
    read: (work) => executor.read((session) => work(watch(session))),
    atomic: (work) => executor.atomic((session) => work(watch(session))),
    arrayRows: (sql, params) => watched(sql, () => executor.arrayRows(sql, params)),
  };
}

describe.skipIf(!POSTGRES_URL)('PostgreSQL usage reservations batched', () => {
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
  let schema: string;
  const orms: MikroORM[] = [];
  let n = 0;

  /** The real executor over a pool of its own (a server process of its own). */
  const pool = async (): Promise<PostgresqlExecutor> => {
    const orm = await MikroORM.init({
      ...sharedOrmOptions(silentLogger(), POSTGRESQL_MIGRATIONS), clientUrl: POSTGRES_URL!, schema, pool: { min: 0, max: 4 }, driverOptions: { searchPath: [schema] },
    });
    orms.push(orm);
    return new PostgresqlExecutor(orm, postgresqlCodec((value) => orm.em.getPlatform().parseDate(value)));
  };

  /** A repository that batches with `concurrency` batches in flight (one: the next ones wait and share one statement). */
  const repository = async (concurrency = 1): Promise<{ usage: SqlUsageRepository; tally: Tally }> => {
    const tally: Tally = { inTurn: 0, together: 0, errors: [] };
    return { usage: new SqlUsageRepository(counted(await pool(), tally), () => undefined, { concurrency, maxBatch: 128 }), tally };
  };

  const record = (agentId: string, id: string): UsageRecord => ({
    id, agentId, channel: 'sms', action: 'message', units: 1, unit: 'segment', provider: 'mock', destination: '+1', costMicros: 100, priceMicros: 120,
    markupBasisPoints: 2_000, currency: 'USD', costSource: 'price-table', state: 'held', heldUntil: new Date(NOW.getTime() + 60_000),
    shares: [{ counter: 'spend', ...DAY, amount: 120, kind: 'spend' }], messageId: `msg_${id}`, callId: null, createdAt: NOW, updatedAt: NOW,
  });

  const usedBy = async (usage: SqlUsageRepository, agentId: string): Promise<Record<string, number>> =>
    Object.fromEntries((await usage.counters(agentId, NOW)).map((c) => [c.counter, c.used]));

  beforeAll(async () => {
    schemas = await postgresSchemas(POSTGRES_URL!);
    schema = schemas.fresh();
    const db = await postgresqlPlugin.create({ url: POSTGRES_URL!, schema }, databasePluginContext(tmpdir()));
    await db.migrate();
    await db.close();
  });

  beforeEach(async () => {
    // Fresh agents per test: counters and records never carry over.
    n++;
    const agents = new SqlAgentRepository(await pool());
    for (const id of AGENTS) {
      await agents.create({ id: `${id}_${n}`, name: id, tokenHash: `hash-${id}-${n}`, callbackUrl: null, callbackSecret: 'whsec_x', status: 'active', voice: {}, createdAt: NOW, updatedAt: NOW }, []);
    }
  });

  afterAll(async () => {
    for (const orm of orms) await orm.close(true);
    await schemas?.close();
  });

  const agent = (id: string): string => `${id}_${n}`;

  it('lets exactly `cap` of many concurrent reservations of one agent through, in a few shared statements', async () => {
    const { usage, tally } = await repository();
    const a = agent('agt_a');
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => usage.reserve(a, [claim('race', 1, 10), claim('spend', 100, 1_000_000)], [record(a, `use_race_${n}_${i}`)])));
    const admitted = outcomes.filter((o): o is Extract<ClaimOutcome, { ok: true }> => o.ok);
    expect(admitted).toHaveLength(10);
    // Each admitted one sees the counters as it left them: 1 … 10, and 100 … 1000.
    expect(admitted.map((o) => o.values.find((v) => v.counter === 'race')?.used).sort((x, y) => x! - y!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(admitted.every((o) => o.values.find((v) => v.counter === 'spend')?.used === 100 * o.values.find((v) => v.counter === 'race')!.used)).toBe(true);
    // Each refused one names the full counter, at its cap.
    expect(outcomes.filter((o) => !o.ok)).toEqual(Array.from({ length: 30 }, () => ({ ok: false, refused: claim('race', 1, 10), used: 10 })));
    expect(await usedBy(usage, a)).toEqual({ race: 10, spend: 1_000 });
    // The records of the admitted ones only.
    const stored = await Promise.all(outcomes.map(async (_, i) => (await usage.findByMessage(`msg_use_race_${n}_${i}`)).length));
    expect(stored).toEqual(outcomes.map((o) => (o.ok ? 1 : 0)));
    // The first went alone; the other 39 waited for it and shared one statement, which could not admit them all
    // (CU001, nothing done) and then one call deciding each in turn.
    expect(tally).toEqual({ inTurn: 1, together: 2, errors: ['CU001'] });
    // Near its cap, the agent's next reservations go straight to the call.
    expect(await usage.reserve(a, [claim('race', 1, 10)], [])).toEqual({ ok: false, refused: claim('race', 1, 10), used: 10 });
    expect(tally).toEqual({ inTurn: 2, together: 2, errors: ['CU001'] });
  });

  it('admits a batch far from its caps in one plain statement, each reservation seeing the counters as if claimed in turn', async () => {
    const { usage, tally } = await repository();
    const [a, b] = [agent('agt_a'), agent('agt_b')];
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => {
      const id = i % 3 === 2 ? b : a;
      return usage.reserve(id, [claim('sms', 1, 1_000), claim('spend', 10, 1_000_000), claim(`contact:${i % 2}`, 1, 50)], [record(id, `use_far_${n}_${i}`)]);
    }));
    expect(outcomes.map((o) => (o.ok ? o.values.map((v) => `${v.counter}=${v.used}`).join(' ') : 'refused'))).toEqual([
      // a: sends 0, 1, 3, 4, 6, 7, 9, 10; b: sends 2, 5, 8, 11. Contacts alternate by send. Claims in name order.
      'contact:0=1 sms=1 spend=10', 'contact:1=1 sms=2 spend=20', 'contact:0=1 sms=1 spend=10', 'contact:1=2 sms=3 spend=30',
      'contact:0=2 sms=4 spend=40', 'contact:1=1 sms=2 spend=20', 'contact:0=3 sms=5 spend=50', 'contact:1=3 sms=6 spend=60',
      'contact:0=2 sms=3 spend=30', 'contact:1=4 sms=7 spend=70', 'contact:0=4 sms=8 spend=80', 'contact:1=2 sms=4 spend=40',
    ]);
    expect(await usedBy(usage, a)).toEqual({ sms: 8, spend: 80, 'contact:0': 4, 'contact:1': 4 });
    expect(await usedBy(usage, b)).toEqual({ sms: 4, spend: 40, 'contact:0': 2, 'contact:1': 2 });
    expect((await Promise.all(outcomes.map((_, i) => usage.findByMessage(`msg_use_far_${n}_${i}`)))).map((r) => r.length)).toEqual(outcomes.map(() => 1));
    // The first alone, the other eleven in one statement; no call of comms_reserve_usage.
    expect(tally).toEqual({ inTurn: 0, together: 2, errors: [] });
  });

  it('keeps apart the windows of one counter that rolled over within a batch', async () => {
    const { usage, tally } = await repository();
    const a = agent('agt_a');
    const minute = (start: string, amount: number): CounterClaim =>
      ({ counter: 'minute', amount, cap: 1_000, windowStart: new Date(start), windowEnd: new Date(new Date(start).getTime() + 60_000) });
    // Sends 0 and 2 fall in the 10:00 minute, 1 and 3 in 10:01: four rows of the same counter name, two per window.
    const outcomes = await Promise.all(Array.from({ length: 4 }, (_, i) =>
      usage.reserve(a, [minute(i % 2 === 0 ? '2026-11-24T10:00:00.000Z' : '2026-11-24T10:01:00.000Z', i + 1)], [record(a, `use_roll_${n}_${i}`)])));
    expect(outcomes.map((o) => (o.ok ? o.values.map((v) => `${v.windowStart.toISOString().slice(11, 16)}=${v.used}`).join(' ') : 'refused')))
      .toEqual(['10:00=1', '10:01=2', '10:00=4', '10:01=6']);
    const counters = await usage.counters(a, new Date('2026-11-24T09:59:00.000Z'), 'minute');
    expect(counters.map((c) => `${c.windowStart.toISOString().slice(11, 16)}=${c.used}`)).toEqual(expect.arrayContaining(['10:00=4', '10:01=6']));
    expect(counters).toHaveLength(2);
    // The first alone, the other three in one statement.
    expect(tally).toEqual({ inTurn: 0, together: 2, errors: [] });
  });

  it('leaves no trace of a reservation refused inside a batch: no claim, no record, no counter row created for it', async () => {
    const { usage, tally } = await repository();
    const a = agent('agt_a');
    await usage.reserve(a, [claim('full', 1, 1)], []);
    await settled();
    const [first, refused, admitted] = await Promise.all([
      usage.reserve(a, [claim('free', 5, 100)], [record(a, `use_first_${n}`)]),
      // Its 'fresh' counter has no row yet: the batch creates one to lock it, and must remove it again.
      usage.reserve(a, [claim('free', 7, 100), claim('fresh', 1, 5), claim('full', 1, 1)], [record(a, `use_refused_${n}`)]),
      usage.reserve(a, [claim('free', 11, 100)], [record(a, `use_admitted_${n}`)]),
    ]);
    expect(first).toMatchObject({ ok: true, values: [{ counter: 'free', used: 5 }] });
    expect(refused).toEqual({ ok: false, refused: claim('full', 1, 1), used: 1 });
    expect(admitted).toMatchObject({ ok: true, values: [{ counter: 'free', used: 16 }] });
    expect(await usedBy(usage, a)).toEqual({ free: 16, full: 1 });
    expect(await usage.findByMessage(`msg_use_refused_${n}`)).toEqual([]);
    expect(await usage.findByMessage(`msg_use_admitted_${n}`)).toHaveLength(1);
    // The batch of two: refused by the plain statement (CU001, which undoes it), then decided in turn.
    expect(tally).toEqual({ inTurn: 1, together: 3, errors: ['CU001'] });
  });

  it('refuses a batch whose every counter is full without storing any of its records (the guard runs with no counter row returned)', async () => {
    const { usage, tally } = await repository();
    const a = agent('agt_a');
    await usage.reserve(a, [claim('only', 1, 1)], []);
    await settled();
    const outcomes = await Promise.all([0, 1, 2].map((i) => usage.reserve(a, [claim('only', 1, 1)], [record(a, `use_full_${n}_${i}`)])));
    expect(outcomes).toEqual([0, 1, 2].map(() => ({ ok: false, refused: claim('only', 1, 1), used: 1 })));
    expect((await Promise.all([0, 1, 2].map((i) => usage.findByMessage(`msg_use_full_${n}_${i}`)))).flat()).toEqual([]);
    // The first alone: refused by the plain statement, then by the call; the agent is near its cap, so the other
    // two go straight to one call.
    expect(tally).toEqual({ inTurn: 2, together: 2, errors: ['CU001'] });
  });

  it('decides several agents in one batch, each against its own counters', async () => {
    const { usage, tally } = await repository();
    const [a, b, c] = [agent('agt_a'), agent('agt_b'), agent('agt_c')];
    await usage.reserve(c, [claim('sms', 2, 2)], []);
    await settled();
    const outcomes = await Promise.all([
      usage.reserve(a, [claim('sms', 1, 2)], []),
      ...[a, b, c, a, b, c, a, b].map((id, i) => usage.reserve(id, [claim('sms', 1, 2), claim('spend', 10, 1_000)], [record(id, `use_multi_${n}_${i}`)])),
    ]);
    // a: one alone, then one more of its three in the batch; b: two of three; c: none (already full).
    expect(outcomes.map((o) => (o.ok ? o.values.find((v) => v.counter === 'sms')!.used : `refused ${o.refused.counter} at ${o.used}`))).toEqual([
      1, 2, 1, 'refused sms at 2', 'refused sms at 2', 2, 'refused sms at 2', 'refused sms at 2', 'refused sms at 2',
    ]);
    expect(await usedBy(usage, a)).toEqual({ sms: 2, spend: 10 });
    expect(await usedBy(usage, b)).toEqual({ sms: 2, spend: 20 });
    expect(await usedBy(usage, c)).toEqual({ sms: 2 });
    expect(tally).toEqual({ inTurn: 1, together: 3, errors: ['CU001'] });
  });

  it('writes a failing batch again one reservation at a time: only the bad one fails', async () => {
    const { usage, tally } = await repository();
    const a = agent('agt_a');
    await usage.insertRecords([record(a, `use_taken_${n}`)]);
    const outcomes = await Promise.allSettled([
      usage.reserve(a, [claim('sms', 1, 10)], [record(a, `use_lone_${n}`)]),
      usage.reserve(a, [claim('sms', 1, 10)], [record(a, `use_ok1_${n}`)]),
      // A record id already stored: the batch's insert fails, and with it the whole statement.
      usage.reserve(a, [claim('sms', 1, 10)], [record(a, `use_taken_${n}`)]),
      usage.reserve(a, [claim('sms', 1, 10)], [record(a, `use_ok2_${n}`)]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // The lone one first; the other two good ones alone afterwards, concurrently (in either order).
    const values = outcomes.map((o) => (o.status === 'fulfilled' && o.value.ok ? o.value.values[0]!.used : null));
    expect([values[0], values[2], [values[1], values[3]].sort()]).toEqual([1, null, [2, 3]]);
    expect(await usedBy(usage, a)).toEqual({ sms: 3 });
    expect(await usage.findByMessage(`msg_use_ok2_${n}`)).toHaveLength(1);
    // One alone, the failed batch of three, then each of the three alone.
    expect(tally).toEqual({ inTurn: 0, together: 5, errors: ['23505', '23505'] });
  });

  it('does not deadlock when two pools batch against each other over the same counters in opposite orders', async () => {
    const [one, two] = [await repository(2), await repository(2)];
    const agents = AGENTS.map(agent);
    const counters = ['a:minute', 'b:hour', 'c:day', 'd:spend'];
    const round = (usage: SqlUsageRepository, order: string[], r: number): Array<Promise<ClaimOutcome>> =>
      order.flatMap((id, i) => [0, 1, 2].map((k) => usage.reserve(id, counters.slice(0, 2 + ((i + k) % 3)).map((c) => claim(c, 1, 1_000_000)), [])))
        .concat([usage.reserve(order[0]!, [claim(`e:${r}`, 1, 1_000_000)], [])]);
    const outcomes = (await Promise.all(Array.from({ length: 20 }, (_, r) => [
      ...round(one.usage, agents, r), ...round(two.usage, [...agents].reverse(), r),
    ]).flat())).flat();
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect([...one.tally.errors, ...two.tally.errors]).toEqual([]);
    // Both pools did share statements (fewer statements than reservations).
    const statements = one.tally.inTurn + one.tally.together + two.tally.inTurn + two.tally.together;
    expect(statements).toBeLessThan(outcomes.length / 2);
    // Per agent, round and pool: three reservations, of the first 2, 3 and 4 counters.
    for (const id of agents) expect(await usedBy(one.usage, id)).toMatchObject({ 'a:minute': 120, 'b:hour': 120, 'c:day': 80, 'd:spend': 40 });
  });
});
