/** JSON Schemas shared by the provisioning tools. */

export const IDEMPOTENCY_KEY = {
  type: 'string', minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$',
  description: 'Your key for this request (8–128 letters, digits, `.`, `_`, `:`, `-`): a retry with the same key resumes or replays the run and never buys a second number.',
} as const;

const url = { type: ['string', 'null'] } as const;

export const webhooksSchema = {
  type: 'object', additionalProperties: false, required: ['smsUrl', 'voiceUrl', 'statusCallbackUrl'],
  properties: { smsUrl: url, voiceUrl: url, statusCallbackUrl: url },
} as const;

export const dnsRecordsSchema = {
  type: 'array',
  items: {
    type: 'object', additionalProperties: false, required: ['record', 'type', 'name', 'value', 'status', 'ttl', 'priority'],
    properties: {
      record: { type: 'string' }, type: { type: 'string' }, name: { type: 'string' }, value: { type: 'string' }, status: { type: 'string' },
      ttl: { type: ['string', 'null'] }, priority: { type: ['integer', 'null'] },
    },
  },
} as const;

export const emailDomainSchema = {
  type: ['object', 'null'], additionalProperties: false, required: ['address', 'domain', 'domainId', 'status', 'records'],
  properties: { address: { type: 'string' }, domain: { type: 'string' }, domainId: { type: 'string' }, status: { type: 'string' }, records: dnsRecordsSchema },
} as const;
