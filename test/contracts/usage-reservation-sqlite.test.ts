/**
 * SQLite's usage reservations inside the write batch (adapters/mikro-orm/sqlite-reservations.ts): the first claim of a
 * counter row in a batch goes to the row, later ones are decided in memory and written once before the COMMIT. These
 * tests put many jobs into one batch (calls made in the same turn of the event loop share it) and check that what the
 * batch keeps in memory never drifts from what is stored: transactions that fail, adjustments, reads and a failing
 * last write.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import type { Database as CommsDatabase } from '../../ports/repositories.js';
import type { CounterClaim, UsageRecord } from '../../ports/usage.js';

const DAY_START = new Date('2026-11-30T00:00:00.000Z');
const DAY_END = new Date('2026-12-01T00:00:00.000Z');
const NOW = new Date('2026-11-30T10:00:00.000Z');
const AGENT = 'agt_batch';
const claim = (counter: string, amount: number, cap: number): CounterClaim => ({ counter, windowStart: DAY_START, windowEnd: DAY_END, amount, cap });
const share = (counter: string, amount: number) => ({ counter, windowStart: DAY_START, windowEnd: DAY_END, amount });

describe('SQLite usage reservations within one write batch', () => {
  let dir: string;
  let file: string;
  let db: CommsDatabase;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comms-usage-batch-'));
    file = join(dir, 'test.sqlite');
    db = await sqlitePlugin.create({ path: file }, databasePluginContext(dir));
    await db.migrate();
    await db.agents.create({ id: AGENT, name: 'batch', tokenHash: 'hash-batch', callbackUrl: null, callbackSecret: 'whsec_x', status: 'active', voice: {}, createdAt: NOW, updatedAt: NOW }, []);
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const used = async (counter: string): Promise<number> => (await db.usage.counters(AGENT, NOW)).find((c) => c.counter === counter)?.used ?? 0;
  const reserve = (cap = 10) => db.usage.reserve(AGENT, [claim('sends', 1, cap), claim('spend', 100, 1_000_000)], []);
  const admitted = (outcomes: Array<{ ok: boolean } | string>) => outcomes.filter((o) => typeof o === 'object' && o.ok).length;

  it('undoes in memory a reservation whose transaction fails, and counts only the ones kept', async () => {
    const failing = () => db.transaction(async (tx) => {
      expect(await tx.usage.reserve(AGENT, [claim('sends', 1, 10), claim('spend', 100, 1_000_000)], [])).toMatchObject({ ok: true });
      throw new Error('the action failed');
    }).catch(() => 'rolled back');
    const kept = () => db.transaction((tx) => tx.usage.reserve(AGENT, [claim('sends', 1, 10), claim('spend', 100, 1_000_000)], []));
    // One batch: claims decided in memory, claims in transactions (kept and rolled back), and a refusal at the end.
    const outcomes = await Promise.all([reserve(), reserve(), failing(), reserve(), kept(), failing(), ...Array.from({ length: 10 }, () => reserve()), kept()]);
    expect(outcomes.filter((o) => o === 'rolled back')).toHaveLength(2);
    expect(admitted(outcomes)).toBe(10);
    expect(await used('sends')).toBe(10);
    expect(await used('spend')).toBe(1_000);
  });

  it('sees adjustments made in the batch, also in a transaction that fails', async () => {
    const rolledBack = db.transaction(async (tx) => {
      await tx.usage.adjust(AGENT, [share('sends', -5)]);
      throw new Error('undo');
    }).catch(() => 'rolled back');
    const outcomes = await Promise.all([
      reserve(), reserve(), rolledBack, reserve(),
      // A settlement that costs more than its estimate takes two units of room.
      db.usage.adjust(AGENT, [share('sends', 2)]).then(() => 'adjusted'),
      ...Array.from({ length: 10 }, () => reserve()),
    ]);
    expect(admitted(outcomes)).toBe(8);
    expect(await used('sends')).toBe(10);
    expect(outcomes.filter((o) => typeof o === 'object' && !o.ok)).toContainEqual({ ok: false, refused: claim('sends', 1, 10), used: 10 });
  });

  it('counts amounts admitted earlier in the batch, not yet written, in the counters read in it', async () => {
    const [, , read] = await Promise.all([reserve(), reserve(), db.usage.counters(AGENT, NOW)]);
    expect(read.find((c) => c.counter === 'sends')?.used).toBe(2);
  });

  it('fails every reservation of a batch whose last write fails, and counts none of them', async () => {
    await reserve();
    // A second connection adds a trigger that refuses the batch's single write of the amounts decided in memory.
    const other = new Database(file);
    other.exec("CREATE TRIGGER refuse_sends AFTER UPDATE ON usage_counters WHEN NEW.counter = 'sends' AND NEW.used >= 4 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    other.close();
    const record = (id: string): UsageRecord => ({
      id, agentId: AGENT, channel: 'sms', action: 'message', units: 1, unit: 'segment', provider: 'mock', destination: null, costMicros: 1, priceMicros: 1,
      markupBasisPoints: 0, currency: 'USD', costSource: 'price-table', state: 'held', heldUntil: null, shares: [], messageId: `msg_${id}`, callId: null, createdAt: NOW, updatedAt: NOW,
    });
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((id) => db.usage.reserve(AGENT, [claim('sends', 1, 10)], [record(`use_${id}`)])));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await used('sends')).toBe(1);
    expect(await db.usage.findByMessage('msg_use_a')).toEqual([]);
    // The next batch starts from what is stored.
    expect(await db.usage.reserve(AGENT, [claim('sends', 2, 10)], [])).toMatchObject({ ok: true, values: [{ used: 3 }] });
  });
});
