import type { UsageAction, UsageChannel, UsageRecord, UsageUnit } from '../../ports/usage.js';
import { decimalToMicros } from './money.js';
import type { PriceEntry, UsageSettings } from './usage-settings.js';

/** What one action will use, before the provider answers (and before the tier's markup). */
export type UsageLine = Pick<UsageRecord, 'channel' | 'action' | 'units' | 'unit' | 'provider' | 'destination' | 'costMicros'>;

/** How specific an entry is for this lookup; -1 when it does not apply. */
function specificity(entry: PriceEntry, provider: string, channel: string, to: string | null): number {
  if (entry.channel !== channel) return -1;
  if (entry.provider !== '*' && entry.provider !== provider) return -1;
  if (entry.prefix !== undefined && !(to ?? '').startsWith(entry.prefix)) return -1;
  return (entry.provider === '*' ? 0 : 1000) + (entry.prefix?.length ?? 0);
}

/** The most specific price-table entry: a named provider beats `*`, a longer prefix beats a shorter one. */
export function unitPrice(prices: readonly PriceEntry[], provider: string, channel: UsageChannel | 'tts', to: string | null): { micros: number; prefix: string | null } {
  let best: PriceEntry | null = null;
  let bestScore = -1;
  for (const entry of prices) {
    const score = specificity(entry, provider, channel, to);
    if (score > bestScore) {
      best = entry;
      bestScore = score;
    }
  }
  return best ? { micros: decimalToMicros(best.unitPrice), prefix: best.prefix ?? null } : { micros: 0, prefix: null };
}

/** A usage line priced from the table: units × unit price for this provider, channel and destination. */
export function priceLine(
  settings: UsageSettings,
  fields: { channel: UsageChannel; action: UsageAction; units: number; unit: UsageUnit; provider: string; to: string | null },
): UsageLine {
  const priceChannel = fields.action === 'tts' ? 'tts' : fields.channel;
  const { micros, prefix } = unitPrice(settings.prices, fields.provider, priceChannel, fields.to);
  return {
    channel: fields.channel, action: fields.action, units: fields.units, unit: fields.unit, provider: fields.provider,
    destination: prefix, costMicros: micros * fields.units,
  };
}
