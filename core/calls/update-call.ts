import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';

const MAX_ATTEMPTS = 5;

/**
 * Applies `change` to the stored call with optimistic concurrency (re-read and retry when another writer
 * got there first). `change` returns the new fields, or null when there is nothing (more) to do. Returns
 * the stored call, or null when it does not exist or the change was not applied.
 */
export async function updateCall(
  ports: CorePorts, callId: string, change: (call: CallLogRecord) => Partial<CallLogRecord> | null,
): Promise<CallLogRecord | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await ports.db.calls.findById(callId);
    if (!current) return null;
    const fields = change(current);
    if (!fields) return null;
    const next = { ...current, ...fields, updatedAt: ports.clock.now(), version: current.version + 1 };
    if (await ports.db.calls.update(next, current.version)) return next;
  }
  ports.logger.warn({ callId }, 'call not updated after repeated write conflicts');
  return null;
}
