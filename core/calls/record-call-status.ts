import type { CallStatusUpdate } from '../../ports/calls.js';
import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { applyCallStatus, isFinal } from './call-progress.js';
import { fillCallPrice } from './call-price.js';
import { sendVoiceFallback } from './voice-fallback.js';
import { settleCallUsage } from '../usage/settle-usage.js';
import { announce } from '../agent-event.js';

const MAX_ATTEMPTS = 5;

/**
 * Applies a status report to a call log with optimistic concurrency: re-read and retry when another
 * report was written in between, so no history entry is lost. Returns the stored call.
 */
export async function recordCallStatus(ports: CorePorts, call: CallLogRecord, update: CallStatusUpdate): Promise<CallLogRecord> {
  let current: CallLogRecord | null = call;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt++) {
    const next = applyCallStatus(current, update, ports.clock.now());
    if (!next) return current;
    if (await ports.db.calls.update({ ...next, version: current.version + 1 }, current.version)) {
      const stored = { ...next, version: current.version + 1 };
      // A call reaches a final status once (applyCallStatus changes nothing after it): announced once, first,
      // so a failing settlement or fallback below cannot swallow it.
      if (isFinal(stored.status)) announce(ports, stored.agentId, 'call.finished', stored.id);
      if (isFinal(stored.status)) await settleCallUsage(ports, stored);
      if (isFinal(stored.status) && stored.status !== 'completed') await sendVoiceFallback(ports, stored);
      // Off the webhook's path: the provider may take a while to price the call.
      if (stored.status === 'completed' && stored.priceMicros === null) void fillCallPrice(ports, stored);
      return stored;
    }
    current = await ports.db.calls.findById(call.id);
  }
  ports.logger.warn({ callId: call.id, status: update.status }, 'call status not applied after repeated write conflicts');
  return current ?? call;
}
