import type { CorePorts } from '../context.js';
import { buyNumber, settleBuying, type NumberActor } from './buy-number.js';
import { numberAccountOf } from './agent-number-provider.js';
import { giveBackNumber } from './give-back-number.js';
import { pointWebhooks } from './point-webhooks.js';
import type { NumberProvider } from './provisioning-errors.js';
import { poolSize } from './provisioning-settings.js';

/** How many half-done numbers one run settles at most; the next run takes the rest. */
const SETTLE_BATCH = 50;

export interface PoolReport {
  settled: number;
  released: number;
  bought: number;
}

/**
 * The background pass over the numbers: settles buys and releases that a dead run left half-done (looked
 * up at the provider, so nothing bought stays unrecorded), then buys spares until the pool of each listed
 * country is full. Throws on a provider failure, so the queue retries it.
 */
export async function refillNumberPool(ports: CorePorts): Promise<PoolReport> {
  const telephony = ports.telephony;
  const report: PoolReport = { settled: 0, released: 0, bought: 0 };
  if (!telephony?.port.numbers) return report;
  const provider = telephony as NumberProvider;
  const actor: NumberActor = { ports, who: { kind: 'system', id: null }, requestId: null };
  const { db, clock, settings } = ports;
  const staleBefore = new Date(clock.now().getTime() - settings.provisioning.settleAfterSeconds * 1000);
  // Each half-done number is looked up in the account it was bought in: its agent's own, or the server's.
  for (const number of await db.provisioning.listStale('buying', staleBefore, SETTLE_BATCH)) {
    if (number.provider !== provider.id) continue;
    await settleBuying(actor, (await numberAccountOf(ports, number.agentId)).provider, number);
    report.settled += 1;
  }
  for (const number of await db.provisioning.listStale('releasing', staleBefore, SETTLE_BATCH)) {
    if (number.provider !== provider.id) continue;
    await giveBackNumber(actor, await numberAccountOf(ports, number.agentId), number);
    report.released += 1;
  }
  for (const country of settings.provisioning.pool.countries) {
    const size = poolSize(settings.provisioning, provider.id, country);
    // Counted again before each buy: spares taken or given back meanwhile change what is missing.
    while ((await db.provisioning.countSpares(provider.id, country)) < size) {
      // A spare is bought for no agent and points at the shared webhooks until an agent takes it.
      const spare = await buyNumber(actor, provider, { country, sms: true, voice: true }, null, null);
      await pointWebhooks(actor, provider, spare, null);
      report.bought += 1;
    }
  }
  return report;
}
