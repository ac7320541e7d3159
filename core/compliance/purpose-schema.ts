/** Input schema of a send's compliance purpose. */
export const purposeSchema = {
  type: 'string',
  enum: ['transactional', 'marketing'],
  default: 'transactional',
  description: 'marketing: needs the person\'s marketing consent where the operator requires it (CONSENT_REQUIRED), honours unsubscribes.',
} as const;
