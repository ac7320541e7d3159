import type { PolicyRule } from './outbound-action.js';
import { contactLimitRule } from './rules/contact-limit-rule.js';
import { rateLimitRule } from './rules/rate-limit-rule.js';
import { spendingCapRule } from './rules/spending-cap-rule.js';

/**
 * The pre-send policy, in order: cheap questions first. A new rule is one file in rules/ and one line
 * here; every outbound use case runs all of them before its provider is called.
 */
export const POLICY_RULES: readonly PolicyRule[] = [
  rateLimitRule,
  contactLimitRule,
  spendingCapRule,
];
