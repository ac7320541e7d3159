import type { AgentRecord } from '../../ports/records.js';
import type { Repositories } from '../../ports/repositories.js';
import type { CounterValue } from '../../ports/usage.js';
import type { CorePorts } from '../context.js';
import type { LimitClaim } from '../policy/outbound-action.js';
import { microsToDecimal } from './money.js';
import type { UsageWindow } from './windows.js';

export interface UsageAlert {
  /** The spending counter: `spend:day` or `spend:month`. */
  limit: string;
  window: UsageWindow;
  thresholdPercent: number;
  usedMicros: number;
  capMicros: number;
}

/** The thresholds that the claims just took a spending counter across (below before, at or above after). */
export function crossedThresholds(thresholds: readonly number[], claims: readonly LimitClaim[], values: readonly CounterValue[]): UsageAlert[] {
  return claims.filter((c) => c.kind === 'spend' && c.amount > 0).flatMap((claim) => {
    const after = values.find((v) => v.counter === claim.counter)?.used;
    if (after === undefined) return [];
    const before = after - claim.amount;
    return thresholds
      .filter((t) => before * 100 < t * claim.cap && after * 100 >= t * claim.cap)
      .map((t) => ({ limit: claim.counter, window: claim.window, thresholdPercent: t, usedMicros: after, capMicros: claim.cap }));
  });
}

/**
 * Sends each alert once per period (`usage.threshold`, signed, through the callback outbox) to the agent's
 * callback URL, in the transaction `tx`; logs it for the operator. Returns how many were queued.
 */
export async function raiseUsageAlerts(ports: CorePorts, tx: Repositories, agent: AgentRecord, alerts: readonly UsageAlert[]): Promise<number> {
  let queued = 0;
  for (const alert of alerts) {
    const now = ports.clock.now();
    if (!(await tx.usage.markAlert(agent.id, `${alert.limit}:${alert.window.start.toISOString()}`, alert.thresholdPercent, now))) continue;
    ports.logger.warn({ agentId: agent.id, limit: alert.limit, thresholdPercent: alert.thresholdPercent }, 'usage threshold reached');
    ports.alerts.raise({
      trigger: 'spending', key: `spending:${agent.id}:${alert.limit}:${alert.window.start.toISOString()}:${alert.thresholdPercent}`,
      severity: alert.thresholdPercent >= 100 ? 'HIGH' : 'MEDIUM',
      summary: `Agent ${agent.id} reached ${alert.thresholdPercent} % of its ${alert.limit} cap (${microsToDecimal(alert.usedMicros)} of ${microsToDecimal(alert.capMicros)} ${ports.settings.usage.currency}).`,
      details: { agentId: agent.id, limit: alert.limit, thresholdPercent: alert.thresholdPercent, spent: microsToDecimal(alert.usedMicros), cap: microsToDecimal(alert.capMicros) },
    });
    const url = agent.callbackUrl ?? ports.settings.defaultCallbackUrl;
    if (!url) continue;
    const { currency } = ports.settings.usage;
    const data = {
      limit: alert.limit,
      thresholdPercent: alert.thresholdPercent,
      spent: microsToDecimal(alert.usedMicros),
      cap: microsToDecimal(alert.capMicros),
      currency,
      periodStart: alert.window.start.toISOString(),
      resetAt: alert.window.end.toISOString(),
    };
    await tx.callbacks.enqueue({
      id: ports.ids.next('evt'), agentId: agent.id, messageId: null, url,
      payload: JSON.stringify({ type: 'usage.threshold', agentId: agent.id, data }),
      status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null, createdAt: now, updatedAt: now,
    });
    queued++;
  }
  return queued;
}

/** A spending cap refused an action: the 100 % alert for that period, if not sent yet. */
export async function raiseCapReachedAlert(ports: CorePorts, agent: AgentRecord, claim: LimitClaim): Promise<void> {
  const alert: UsageAlert = { limit: claim.counter, window: claim.window, thresholdPercent: 100, usedMicros: claim.cap, capMicros: claim.cap };
  if (!ports.settings.usage.alertThresholds.includes(100)) return;
  const queued = await ports.db.transaction((tx) => raiseUsageAlerts(ports, tx, agent, [alert]));
  if (queued > 0) ports.notifyCallbacksPending();
}
