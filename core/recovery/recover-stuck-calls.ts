import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { releaseUsage } from '../usage/settle-usage.js';

/**
 * Settles one outbound call left without a provider call id (its process died between storing it and recording
 * the provider's answer): `failed` with PROVIDER_TIMEOUT, since it may have been placed and no provider here can
 * look a call up by its parties. Its minutes are given back, as for any call the provider never reported on.
 */
export async function recoverStuckCall(ports: CorePorts, call: CallLogRecord): Promise<boolean> {
  const now = ports.clock.now();
  const failed: CallLogRecord = {
    ...call,
    status: 'failed',
    history: [...call.history, { status: 'failed', at: now.toISOString() }],
    endedAt: now,
    errorCode: 'PROVIDER_TIMEOUT',
    errorMessage: 'The server stopped while placing this call: it may have been placed. Check with the person before calling again.',
    updatedAt: now,
    version: call.version + 1,
  };
  // The version makes it conditional: a status report or another server that got there first wins.
  if (!(await ports.db.calls.update(failed, call.version))) return false;
  await releaseUsage(ports, await ports.db.usage.findByCall(call.id));
  return true;
}
