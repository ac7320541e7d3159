import type { UsageChannel } from '../../ports/usage.js';

/** The action types limits count, each with its own per-minute, per-hour and per-day limit. */
export type ActionKind = 'sms' | 'email' | 'whatsapp' | 'call';
export const ACTION_KINDS: readonly ActionKind[] = ['sms', 'email', 'whatsapp', 'call'];

/** A limit left out (or null in an override) means no limit. */
export interface ActionLimits {
  perMinute?: number | null;
  perHour?: number | null;
  perDay?: number | null;
}

/** One tier of `usage.tiers` in config, or an agent's overrides of it (same shape, every key optional). */
export interface TierLimits {
  /** Added to the provider's cost to make the agent's price, in percent (12.5 = 12.5 %). */
  markupPercent?: number;
  actions?: Partial<Record<ActionKind, ActionLimits>>;
  /** Caps on the agent's spend (marked-up price), decimal amounts in `usage.currency`. */
  spend?: { perDay?: string | null; perMonth?: string | null };
  /** Anti-harassment: at most this many calls / messages a UTC day to one number or address. */
  perContact?: { callsPerDay?: number | null; messagesPerDay?: number | null };
}

/** A row of the price table: what the provider charges per unit, most specific match wins. */
export interface PriceEntry {
  /** Plugin id of the adapter (`twilio`, `mock` …) or `*`. */
  provider: string;
  /** The channel, or `tts` for speech synthesis (per character). */
  channel: UsageChannel | 'tts';
  /** E.164 calling-code prefix of the destination (`+44`, `+1`); absent for any destination. */
  prefix?: string;
  /** Decimal amount per unit in `usage.currency`. */
  unitPrice: string;
}

export interface UsageSettings {
  /** false: no usage records and no limits (the pre-send policy still runs its other rules). */
  enabled: boolean;
  currency: string;
  defaultTier: string;
  tiers: Readonly<Record<string, TierLimits>>;
  prices: readonly PriceEntry[];
  /** Minutes of a call reserved against the spending caps until the call ends and its cost is known. */
  callReserveMinutes: number;
  /** A message's reservation still unresolved after this long (a crash mid-send) is resolved by the sweeper. */
  holdSeconds: number;
  /** Percentages of a spending cap at which a `usage.threshold` event is sent, once per period. */
  alertThresholds: readonly number[];
}

/** An agent's limits with its tier and overrides resolved; money in micro-units, null = no limit. */
export interface EffectiveLimits {
  tier: string;
  markupBasisPoints: number;
  actions: Record<ActionKind, { minute: number | null; hour: number | null; day: number | null }>;
  spend: { day: number | null; month: number | null };
  perContact: { call: number | null; message: number | null };
}
