/**
 * SQLite usage reservations inside the write batch (sqlite-group-commit.ts). Every send of an agent claims the same
 * counter rows (its action's minute, hour and day, its day's and month's spend) and one of its contact's: claimed one
 * send at a time, each shared row is upserted once per send. A batch holds the write lock from its BEGIN to its
 * COMMIT, so a value read in it stays current unless a job of the same batch changes it. So the first claim of a row
 * in a batch goes to the row (an upsert that checks the cap and returns the new value), and the later ones are decided
 * in memory on that value plus what the batch has admitted since; their sum is written once, just before the COMMIT
 * (SqlBatch.beforeCommit). A reservation whose records cannot be stored takes its amounts back; a batch that fails
 * fails every job in it, so no reservation is reported made without its amounts written.
 *
 * What the batch knows of a row (`stored`) is dropped whenever a statement of the batch changes the row directly
 * (an adjustment): the next claim reads it again. Amounts admitted but not yet written (`pending`) are counted by
 * every reader in the batch (counters, refusals), and a claim made at a row leaves room for them. A reservation made
 * in a transaction that then fails is undone in memory when its SAVEPOINT is rolled back (SqlBatch.onRollback).
 */
import type { ClaimOutcome, CounterClaim, CounterValue } from '../../ports/usage.js';
import { integer } from './row-values.js';
import type { SqlBatch, SqlCodec, SqlSession } from './sql-executor.js';
import { adjustSql, counterParams, counterUpsert } from './usage-counter-sql.js';

/** A counter row as this batch knows it. */
interface BatchCounter {
  agentId: string;
  /** The row's key and window. */
  row: Omit<CounterValue, 'used'>;
  /** The row's stored value as last read or written by this batch; null: unknown, read it again. */
  stored: number | null;
  /** Admitted by this batch, not yet written. */
  pending: number;
  /** The cap of the last claim admitted (stored with the row, for readers). */
  cap: number;
}

/** A claim of one reservation, with what the batch knows of its row. */
interface Slot {
  claim: CounterClaim;
  key: string;
  entry: BatchCounter | undefined;
  /** Decided in memory: the batch knows the row's stored value. */
  known: boolean;
  /** Claimed at the row: its stored value afterwards. */
  stored: number;
}

/** What one batch knows, kept in SqlBatch.state under this module's key. */
interface BatchCounters {
  rows: Map<string, BatchCounter>;
  writeScheduled: boolean;
}
const STATE_KEY = {};

// Claims: a counter that would pass its cap is left unchanged and not returned (the WHERE of DO UPDATE). A new row
// cannot pass its cap: amounts above the cap are refused before the statement.
const claimSql = counterUpsert(
  'DO UPDATE SET used = usage_counters.used + excluded.used, cap = excluded.cap WHERE usage_counters.used + excluded.used <= excluded.cap ' +
    'RETURNING counter, window_start, used',
);
// The batch's admitted amounts; an adjustment in the batch may have taken a row past the cap meanwhile.
const writePendingSql = counterUpsert('DO UPDATE SET used = usage_counters.used + excluded.used, cap = MAX(excluded.cap, usage_counters.used + excluded.used)');
const SELECT_USED = 'SELECT used FROM usage_counters WHERE agent_id = ? AND counter = ? AND window_start = ?';
/** Rows per statement of the last write (six parameters each, far below SQLite's limit). */
const WRITE_CHUNK = 200;

export class SqliteReservations {
  constructor(private readonly codec: SqlCodec) {}

  /**
   * Claims `merged` (one per row, in refusal order, none above its cap alone), then stores the records with
   * `storeRecords`; all or nothing.
   */
  async reserve(session: SqlSession, agentId: string, merged: readonly CounterClaim[], storeRecords: () => Promise<void>): Promise<ClaimOutcome> {
    const state = batchState(session.batch);
    const slots = merged.map((claim): Slot => {
      const key = keyOf(agentId, claim);
      const entry = state?.rows.get(key);
      return { claim, key, entry, known: entry?.stored != null, stored: 0 };
    });
    if (slots.some((s) => s.known && valueOf(s.entry!) + s.claim.amount > s.claim.cap)) return this.refusal(session, agentId, merged);
    const atRows = slots.filter((s) => !s.known);
    if (atRows.length > 0 && !(await this.claimAtRows(session, agentId, atRows, state))) return this.refusal(session, agentId, merged);
    for (const slot of slots) if (slot.known) this.addPending(session.batch!, state!, slot.entry!, slot.claim);
    let undone = false;
    const undo = (): void => {
      if (undone) return;
      undone = true;
      for (const slot of slots) {
        if (slot.known) slot.entry!.pending -= slot.claim.amount;
        else if (slot.entry) slot.entry.stored = null;
      }
    };
    // Made in a transaction that then fails, the reservation is rolled back with its SAVEPOINT: undo it here too.
    session.batch?.onRollback(undo);
    try {
      await storeRecords();
    } catch (err) {
      undo();
      if (atRows.length > 0) await this.adjust(session, agentId, atRows.map((s) => ({ ...s.claim, amount: -s.claim.amount })));
      throw err;
    }
    const values = slots.map(({ claim, entry, stored }): CounterValue => (
      { counter: claim.counter, windowStart: claim.windowStart, windowEnd: claim.windowEnd, used: entry ? valueOf(entry) : stored }
    ));
    return { ok: true, values };
  }

  /** Adds amounts regardless of caps (releases, settlements); the batch reads the rows again afterwards. */
  async adjust(session: SqlSession, agentId: string, shares: ReadonlyArray<Omit<CounterValue, 'used'> & { amount: number }>): Promise<void> {
    await session.run(adjustSql(shares.length), shares.flatMap((s) => counterParams(this.codec, agentId, s, s.amount, Math.max(s.amount, 0))));
    forget(batchState(session.batch), agentId, shares);
  }

  /** A counter's value as a reader in this batch must see it: stored plus admitted but not yet written. */
  withPending<T extends CounterValue>(session: SqlSession, agentId: string, value: T): T {
    const pending = pendingOf(batchState(session.batch), agentId, value);
    return pending === 0 ? value : { ...value, used: value.used + pending };
  }

  /**
   * Claims at the rows, leaving room for what this batch has admitted there and not written. All taken: each slot
   * gets its row's stored value, remembered by the batch, and the answer is true; one refused: the others are given
   * back, and the answer is false.
   */
  private async claimAtRows(session: SqlSession, agentId: string, slots: Slot[], state: BatchCounters | null): Promise<boolean> {
    const params = slots.flatMap((s) => counterParams(this.codec, agentId, s.claim, s.claim.amount, s.claim.cap - (s.entry?.pending ?? 0)));
    const returned = new Map<string, number>();
    // SQLite stores times as epoch milliseconds (sqliteCodec): the key is built from the row as it comes.
    for (const row of await session.rows(claimSql(slots.length), params)) returned.set(`${agentId}\u0000${String(row.counter)}\u0000${Number(row.window_start)}`, integer(row, 'used'));
    const taken = slots.filter((s) => returned.has(s.key));
    if (taken.length < slots.length) {
      if (taken.length > 0) await this.adjust(session, agentId, taken.map((s) => ({ ...s.claim, amount: -s.claim.amount })));
      return false;
    }
    for (const slot of slots) {
      slot.stored = returned.get(slot.key)!;
      if (slot.entry) slot.entry.stored = slot.stored;
      else if (state) state.rows.set(slot.key, (slot.entry = { agentId, row: slot.claim, stored: slot.stored, pending: 0, cap: slot.claim.cap }));
    }
    return true;
  }

  /** The first claim (in `merged` order) without room, with its counter's value; nothing was claimed. */
  private async refusal(session: SqlSession, agentId: string, merged: readonly CounterClaim[]): Promise<ClaimOutcome> {
    const state = batchState(session.batch);
    for (const claim of merged) {
      const entry = state?.rows.get(keyOf(agentId, claim));
      let used = entry?.stored != null ? valueOf(entry) : null;
      if (used === null) {
        const [row] = await session.rows(SELECT_USED, [agentId, claim.counter, this.codec.time(claim.windowStart)]);
        used = (row ? integer(row, 'used') : 0) + (entry?.pending ?? 0);
      }
      if (used + claim.amount > claim.cap) return { ok: false, refused: claim, used };
    }
    // Not reached: a claim was refused, so some counter had no room, and nothing has changed since.
    throw new Error('A usage claim was refused, yet every counter has room.');
  }

  private addPending(batch: SqlBatch, state: BatchCounters, entry: BatchCounter, claim: CounterClaim): void {
    entry.pending += claim.amount;
    entry.cap = claim.cap;
    if (state.writeScheduled) return;
    state.writeScheduled = true;
    batch.beforeCommit((session) => this.writePending(session, state));
  }

  /** The batch's admitted amounts, one row each, before its COMMIT. */
  private async writePending(session: SqlSession, state: BatchCounters): Promise<void> {
    const rows = [...state.rows.values()].filter((entry) => entry.pending !== 0);
    for (let start = 0; start < rows.length; start += WRITE_CHUNK) {
      const chunk = rows.slice(start, start + WRITE_CHUNK);
      await session.run(writePendingSql(chunk.length), chunk.flatMap((e) => counterParams(this.codec, e.agentId, e.row, e.pending, e.cap)));
    }
  }
}

/** Changed at the row by a statement that may be rolled back alone, or rolled back: read it again next time. */
function forget(state: BatchCounters | null, agentId: string, rows: ReadonlyArray<{ counter: string; windowStart: Date }>): void {
  for (const row of rows) {
    const entry = state?.rows.get(keyOf(agentId, row));
    if (entry) entry.stored = null;
  }
}

function batchState(batch: SqlBatch | undefined): BatchCounters | null {
  if (!batch) return null;
  let state = batch.state.get(STATE_KEY) as BatchCounters | undefined;
  if (!state) {
    state = { rows: new Map(), writeScheduled: false };
    batch.state.set(STATE_KEY, state);
  }
  return state;
}

const keyOf = (agentId: string, c: { counter: string; windowStart: Date }): string => `${agentId}\u0000${c.counter}\u0000${c.windowStart.getTime()}`;
const valueOf = (entry: BatchCounter): number => (entry.stored ?? 0) + entry.pending;
const pendingOf = (state: BatchCounters | null, agentId: string, c: { counter: string; windowStart: Date }): number => state?.rows.get(keyOf(agentId, c))?.pending ?? 0;
