import type { CallStatusUpdate } from '../../ports/calls.js';
import { FINAL_CALL_STATUSES } from '../../ports/calls.js';
import type { CallLogRecord } from '../../ports/records.js';

const RANK: Readonly<Record<string, number>> = { queued: 0, initiated: 1, ringing: 2, 'in-progress': 3 };

function rank(status: string): number {
  return (FINAL_CALL_STATUSES as readonly string[]).includes(status) ? 4 : (RANK[status] ?? -1);
}

export function isFinal(status: string): boolean {
  return rank(status) === 4;
}

/**
 * The call log after a provider status report, or null when the report changes nothing (a repeat, or
 * a status behind the one stored: callbacks can arrive late and twice). Pure: the caller writes it.
 */
export function applyCallStatus(call: CallLogRecord, update: CallStatusUpdate, now: Date): CallLogRecord | null {
  if (rank(update.status) <= rank(call.status) || isFinal(call.status)) return null;
  const at = update.occurredAt ?? now;
  return {
    ...call,
    status: update.status,
    history: [...call.history, { status: update.status, at: at.toISOString() }],
    providerCallId: call.providerCallId ?? update.providerCallId,
    answeredAt: call.answeredAt ?? (update.status === 'in-progress' ? at : null),
    endedAt: isFinal(update.status) ? at : call.endedAt,
    durationSeconds: update.durationSeconds ?? call.durationSeconds,
    priceMicros: update.priceMicros ?? call.priceMicros,
    currency: update.currency ?? call.currency,
    updatedAt: now,
  };
}
