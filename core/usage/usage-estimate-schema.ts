/** JSON Schema of `UsageEstimate` (a send's units and estimated price), shared by the send tools' outputs. */
export const usageEstimateSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['units', 'unit', 'estimatedPrice', 'currency'],
  properties: {
    units: { type: 'integer', description: 'sms segments, email recipients, whatsapp conversations, call minutes reserved.' },
    unit: { type: 'string', enum: ['segment', 'email', 'conversation', 'minute', 'character'] },
    estimatedPrice: { type: 'string', description: 'Decimal amount in currency, from the price table with the agent\'s markup.' },
    currency: { type: 'string' },
  },
} as const;
