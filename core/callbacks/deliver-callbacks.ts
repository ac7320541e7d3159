import type { CallbackDeliveryRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';

const TIMEOUT_MS = 10_000;
/** How long a claimed delivery stays with the server that claimed it: well past the send's timeout. */
const LEASE_MS = 6 * TIMEOUT_MS;
export const CALLBACK_BATCH_SIZE = 50;

/** Exponential back-off: 2 s, 4 s, 8 s … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** attempts * 1000, 3_600_000);
}

/**
 * Sends every forward that is due, each signed with its agent's secret. Delivery is at least once: the
 * receiver dedupes on the `webhook-id` header, which stays the same across retries.
 */
export async function deliverDueCallbacks(ports: CorePorts, batchSize = CALLBACK_BATCH_SIZE): Promise<number> {
  const now = ports.clock.now();
  // Claimed, not just read: servers sharing the database never send the same delivery in one attempt.
  const due = await ports.db.callbacks.claimDue(now, new Date(now.getTime() + LEASE_MS), batchSize);
  // The oldest forward still waiting (first created) is the backlog's age, for the outbox-backlog alert.
  const oldest = due.reduce<CallbackDeliveryRecord | null>((a, d) => (!a || d.createdAt < a.createdAt ? d : a), null);
  if (oldest) ports.alertTriggers.outboxBacklog((now.getTime() - oldest.createdAt.getTime()) / 1000, oldest.agentId);
  await Promise.all(due.map((delivery) => attempt(ports, delivery)));
  return due.length;
}

async function attempt(ports: CorePorts, delivery: CallbackDeliveryRecord): Promise<void> {
  const agent = await ports.db.agents.findById(delivery.agentId);
  let error: string | null = null;
  if (!agent) {
    error = 'agent no longer exists';
  } else {
    try {
      const { status } = await ports.callbackSender.post(
        {
          url: delivery.url,
          id: delivery.id,
          timestamp: Math.floor(ports.clock.now().getTime() / 1000),
          body: delivery.payload,
          secret: agent.callbackSecret,
        },
        TIMEOUT_MS,
      );
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  const now = ports.clock.now();
  const attempts = delivery.attempts + 1;
  if (error === null) {
    await ports.db.callbacks.update(delivery.id, { status: 'delivered', attempts, nextAttemptAt: now, lastError: null, updatedAt: now });
    return;
  }
  const dead = !agent || attempts >= ports.settings.callbackMaxAttempts;
  ports.logger.warn({ deliveryId: delivery.id, agentId: delivery.agentId, attempts, dead, error }, 'callback delivery failed');
  await ports.db.callbacks.update(delivery.id, {
    status: dead ? 'dead' : 'pending',
    attempts,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
    lastError: error,
    updatedAt: now,
  });
}
