import { isDomainError, type DomainError } from '../../ports/errors.js';
import type { UseCaseContext } from '../context.js';
import { agentLimits } from '../agents/agent-cache.js';
import { cachedEffectiveLimits } from '../usage/effective-limits.js';
import type { OutboundAction, PolicyInput } from './outbound-action.js';
import { POLICY_RULES } from './policy-rules.js';

/**
 * What the pre-send policy would answer now, without sending, claiming or recording anything: every
 * rule's refusal (not only the first), limit counters compared with their current values.
 */
export async function previewOutbound(ctx: UseCaseContext, action: OutboundAction): Promise<DomainError[]> {
  const { usage } = ctx.ports.settings;
  const now = ctx.ports.clock.now();
  const limits = usage.enabled ? cachedEffectiveLimits(usage, await agentLimits(ctx.ports, action.agent.id)) : null;
  const refusals: DomainError[] = [];
  const input: PolicyInput = { ctx, action, limits, priceMicros: 0, now };
  for (const rule of POLICY_RULES) {
    try {
      const claims = await rule.evaluate(input);
      if (claims.length === 0) continue;
      const current = await ctx.ports.db.usage.counters(action.agent.id, now);
      for (const claim of claims) {
        const used = current.find((c) => c.counter === claim.counter && c.windowStart.getTime() === claim.window.start.getTime())?.used ?? 0;
        if (used + claim.amount > claim.cap) {
          refusals.push(claim.rule.refusal(claim, used, input));
          break;
        }
      }
    } catch (err) {
      if (!isDomainError(err)) throw err;
      refusals.push(err);
    }
  }
  return refusals;
}
