import type { Repositories } from '../../ports/repositories.js';
import type { ClaimOutcome, CounterClaim, CounterValue, UsageRecord } from '../../ports/usage.js';
import type { UseCaseContext } from '../context.js';
import { releaseUsage } from '../usage/settle-usage.js';

/** A refused reservation, or a granted one with what `store` returned (`kept`: it stored the action). */
export type Stored<T> = Extract<ClaimOutcome, { ok: false }> | { ok: true; values: CounterValue[]; value: T; kept: boolean };

/**
 * Writes an action's reservation (its counter claims and held usage records), then, when every counter
 * had room, runs `store`, which writes the action's own row and calls `keep` when it did.
 *
 * SQLite has one writer, and every write of a moment goes in one group-commit transaction anyway: the
 * reservation and the action's row are one job there (one SAVEPOINT, one commit), which saves the second
 * commit a send would wait for and the CPU of a job of its own. Both are committed together or not at
 * all, so a crash in between cannot leave a reservation behind.
 *
 * PostgreSQL: the reservation is written first and alone, so the counter rows that every send of an
 * agent updates are locked for that one statement, never across the action's other writes. A `store`
 * that throws gets the reservation given back; a crash in between leaves held records that the sweeper
 * resolves when their hold expires.
 */
export async function reserveAndStore<T>(
  ctx: UseCaseContext,
  reservation: { agentId: string; claims: readonly CounterClaim[]; records: UsageRecord[] },
  store: (db: Repositories, keep: () => UsageRecord[]) => Promise<T>,
): Promise<Stored<T>> {
  const { db } = ctx.ports;
  const { agentId, claims, records } = reservation;
  let kept = false;
  const keep = (): UsageRecord[] => {
    kept = true;
    return records;
  };
  if (db.dialect === 'sqlite') {
    return db.transaction(async (tx): Promise<Stored<T>> => {
      const reserved = await tx.usage.reserve(agentId, claims, records);
      return reserved.ok ? { ...reserved, value: await store(tx, keep), kept } : reserved;
    });
  }
  const reserved = await db.usage.reserve(agentId, claims, records);
  if (!reserved.ok) return reserved;
  try {
    const value = await store(db, keep);
    return { ...reserved, value, kept };
  } catch (err) {
    await releaseUsage(ctx.ports, records);
    throw err;
  }
}
