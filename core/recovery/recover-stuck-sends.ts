import type { CorePorts } from '../context.js';
import { recoverStuckCall } from './recover-stuck-calls.js';
import { recoverStuckMessage, type StuckOutcome } from './recover-stuck-messages.js';

const BATCH = 100;

export interface RecoveryReport {
  /** Messages settled, by outcome (`unknown`: left for the next run). */
  messages: Partial<Record<StuckOutcome['kind'], number>>;
  calls: number;
}

/**
 * Settles every send that has not moved since `stuckBefore` (messages `pending`, calls not yet placed): after a
 * crash, no process is left to record the provider's answer. `stuckBefore` must leave sends still in flight in a
 * live process alone, so it lies further back than any provider request can take.
 */
export async function recoverStuckSends(ports: CorePorts, stuckBefore: Date): Promise<RecoveryReport> {
  const report: RecoveryReport = { messages: {}, calls: 0 };
  const skipped = new Set<string>();
  for (;;) {
    const batch = (await ports.db.messages.listStuckPending(stuckBefore, BATCH + skipped.size)).filter((m) => !skipped.has(m.id));
    for (const message of batch) {
      const kind = await recoverStuckMessage(ports, message);
      report.messages[kind] = (report.messages[kind] ?? 0) + 1;
      // Still pending (lookup failed for now): not again in this run.
      if (kind === 'unknown') skipped.add(message.id);
    }
    if (batch.length < BATCH) break;
  }
  for (;;) {
    const batch = await ports.db.calls.listStuckUnplaced(stuckBefore, BATCH);
    let settled = 0;
    for (const call of batch) if (await recoverStuckCall(ports, call)) settled += 1;
    report.calls += settled;
    // None settled: each one changed under us meanwhile, and the next run sees it as it is now.
    if (batch.length < BATCH || settled === 0) break;
  }
  return report;
}
