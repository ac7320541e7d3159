import { DomainError } from '../../ports/errors.js';
import type { AgentLimitsRecord } from '../../ports/usage.js';
import { decimalToMicros } from './money.js';
import { ACTION_KINDS, type EffectiveLimits, type TierLimits, type UsageSettings } from './usage-settings.js';

/** An override wins when present (null included: "no limit"); otherwise the tier's value, else none. */
function pick<T>(override: T | null | undefined, base: T | null | undefined): T | null {
  return override !== undefined ? override : (base ?? null);
}

/** The tier an agent belongs to, refusing a name that config does not define. */
export function tierNamed(settings: UsageSettings, name: string | null): [string, TierLimits] {
  const tierName = name ?? settings.defaultTier;
  const tier = settings.tiers[tierName];
  if (!tier) {
    throw new DomainError('INVALID_INPUT', `There is no tier named ${tierName}.`, `Use one of: ${Object.keys(settings.tiers).join(', ')}.`, { field: 'tier' });
  }
  return [tierName, tier];
}

export function effectiveLimits(settings: UsageSettings, record: AgentLimitsRecord | null): EffectiveLimits {
  const [tierName, tier] = tierNamed(settings, record?.tier ?? null);
  const own = (record?.overrides ?? {}) as TierLimits;
  const money = (value: string | null): number | null => (value === null ? null : decimalToMicros(value));
  const actions = Object.fromEntries(ACTION_KINDS.map((kind) => {
    const base = tier.actions?.[kind];
    const mine = own.actions?.[kind];
    return [kind, { minute: pick(mine?.perMinute, base?.perMinute), hour: pick(mine?.perHour, base?.perHour), day: pick(mine?.perDay, base?.perDay) }];
  })) as EffectiveLimits['actions'];
  return {
    tier: tierName,
    markupBasisPoints: Math.round((pick(own.markupPercent, tier.markupPercent) ?? 0) * 100),
    actions,
    spend: { day: money(pick(own.spend?.perDay, tier.spend?.perDay)), month: money(pick(own.spend?.perMonth, tier.spend?.perMonth)) },
    perContact: {
      call: pick(own.perContact?.callsPerDay, tier.perContact?.callsPerDay),
      message: pick(own.perContact?.messagesPerDay, tier.perContact?.messagesPerDay),
    },
  };
}

/** Effective limits by settings, then by limits record (NO_RECORD for an agent without one). */
const resolved = new WeakMap<UsageSettings, WeakMap<AgentLimitsRecord | typeof NO_RECORD, EffectiveLimits>>();
const NO_RECORD = {};

/**
 * effectiveLimits, computed once per limits record instead of on every send: the record comes from the
 * per-agent cache (the same object until it is read again), so its resolution is kept beside it.
 * The result is frozen, as every send of the agent shares it.
 */
export function cachedEffectiveLimits(settings: UsageSettings, record: AgentLimitsRecord | null): EffectiveLimits {
  let bySettings = resolved.get(settings);
  if (!bySettings) resolved.set(settings, (bySettings = new WeakMap()));
  const key = record ?? NO_RECORD;
  let limits = bySettings.get(key);
  if (!limits) bySettings.set(key, (limits = deepFreeze(effectiveLimits(settings, record))));
  return limits;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  return Object.freeze(value);
}
