/** A `usage:` config section for tests: one tier `test` with the given limits, and simple prices. */
export function usageConfig(limits: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    usage: {
      defaultTier: 'test',
      tiers: { test: limits, gold: { markupPercent: 50 } },
      prices: [
        { channel: 'sms', unitPrice: '0.01' },
        { channel: 'sms', prefix: '+44', unitPrice: '0.05' },
        { channel: 'email', unitPrice: '0.001' },
        { channel: 'whatsapp', unitPrice: '0.02' },
        { channel: 'voice', unitPrice: '0.10' },
        { channel: 'tts', unitPrice: '0.0001' },
      ],
      ...more,
    },
  };
}
