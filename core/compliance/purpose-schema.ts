/** Input schema of a send's compliance purpose. */
export function purposeSchema(what: string) {
  return {
    type: 'string',
    enum: ['transactional', 'marketing'],
    default: 'transactional',
    description:
      `Why this ${what} is sent. marketing: needs the person's recorded marketing consent where the operator requires it ` +
      '(CONSENT_REQUIRED otherwise), honours unsubscribes, and marketing emails get the unsubscribe footer and headers.',
  } as const;
}
