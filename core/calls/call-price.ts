import { isDomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { updateCall } from './update-call.js';

/** When to ask again: the provider prices a call some seconds after it ends. */
const ATTEMPT_DELAYS_MS = [0, 5_000, 30_000, 120_000];

/**
 * A completed call whose status report carried no price: read it from the provider's call record (when the
 * adapter can), asking again a few times while the provider has not priced it yet, and store it. Runs in
 * the background; failures are logged, never thrown.
 */
export async function fillCallPrice(ports: CorePorts, call: CallLogRecord, delaysMs: readonly number[] = ATTEMPT_DELAYS_MS): Promise<void> {
  const calls = ports.telephony?.port.calls;
  // Only the adapter that carried the call can price it (calls joined on this server have no provider).
  if (!calls?.fetchCallPrice || !call.providerCallId || call.priceMicros !== null || call.provider !== ports.telephony?.id) return;
  for (const delay of delaysMs) {
    // Unref'd where the runtime allows it: a pending retry must not keep a stopping server alive.
    if (delay > 0) await new Promise((resolve) => (setTimeout(resolve, delay) as { unref?: () => void }).unref?.());
    try {
      const price = await calls.fetchCallPrice(call.providerCallId);
      if (price) return await storePrice(ports, call.id, price);
    } catch (err) {
      ports.logger.warn({ callId: call.id, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'could not read the price of a finished call');
      return;
    }
  }
  ports.logger.info({ callId: call.id }, 'the provider had not priced the call yet; price left unknown');
}

async function storePrice(ports: CorePorts, callId: string, price: { priceMicros: number; currency: string }): Promise<void> {
  await updateCall(ports, callId, (current) => (current.priceMicros !== null ? null : { priceMicros: price.priceMicros, currency: price.currency }));
}
