import type { CounterValue } from '../../ports/usage.js';
import { microsToDecimal } from './money.js';
import { ACTION_KINDS, type EffectiveLimits } from './usage-settings.js';
import { windowAt, type WindowSize } from './windows.js';

/** One limit of an agent against its current window: what is used and what is left. */
export interface LimitStanding {
  /** `actions:sms:minute`, `spend:day` … */
  limit: string;
  /** Counts for actions; decimal amounts in `currency` for spend. */
  cap: string;
  used: string;
  remaining: string;
  resetAt: string;
}

export const limitStandingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['limit', 'cap', 'used', 'remaining', 'resetAt'],
  properties: { limit: { type: 'string' }, cap: { type: 'string' }, used: { type: 'string' }, remaining: { type: 'string' }, resetAt: { type: 'string' } },
} as const;

/** Every configured limit (a null limit is none, and not listed) with the counter of its current window. */
export function limitStandings(limits: EffectiveLimits, counters: readonly CounterValue[], now: Date): LimitStanding[] {
  const rows: Array<{ limit: string; cap: number; size: WindowSize; money: boolean }> = [];
  for (const kind of ACTION_KINDS) {
    for (const size of ['minute', 'hour', 'day'] as const) {
      const cap = limits.actions[kind][size];
      if (cap !== null) rows.push({ limit: `actions:${kind}:${size}`, cap, size, money: false });
    }
  }
  for (const size of ['day', 'month'] as const) {
    const cap = limits.spend[size];
    if (cap !== null) rows.push({ limit: `spend:${size}`, cap, size, money: true });
  }
  return rows.map(({ limit, cap, size, money }) => {
    const window = windowAt(size, now);
    const used = counters.find((c) => c.counter === limit && c.windowStart.getTime() === window.start.getTime())?.used ?? 0;
    const show = (n: number): string => (money ? microsToDecimal(n) : String(n));
    return { limit, cap: show(cap), used: show(used), remaining: show(Math.max(0, cap - used)), resetAt: window.end.toISOString() };
  });
}
