const count = { type: ['integer', 'null'], minimum: 0 } as const;
const money = { type: ['string', 'null'], pattern: '^\\d+(\\.\\d{1,6})?$', description: 'Decimal amount, e.g. "25.50"; null for no cap.' } as const;
const actionLimits = { type: 'object', additionalProperties: false, properties: { perMinute: count, perHour: count, perDay: count } } as const;

/** JSON Schema of a tier's limits (the same shape as `usage.tiers.*` in config). */
export const tierLimitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    markupPercent: { type: 'number', minimum: 0, maximum: 10_000 },
    actions: {
      type: 'object',
      additionalProperties: false,
      properties: { sms: actionLimits, email: actionLimits, whatsapp: actionLimits, call: actionLimits },
    },
    spend: { type: 'object', additionalProperties: false, properties: { perDay: money, perMonth: money } },
    perContact: { type: 'object', additionalProperties: false, properties: { callsPerDay: count, messagesPerDay: count } },
  },
} as const;
