import type { PolicyRule } from './outbound-action.js';
import { consentRule } from './rules/consent-rule.js';
import { contactLimitRule } from './rules/contact-limit-rule.js';
import { contentRule } from './rules/content-rule.js';
import { doNotContactRule } from './rules/do-not-contact-rule.js';
import { optOutRule } from './rules/opt-out-rule.js';
import { quietHoursRule } from './rules/quiet-hours-rule.js';
import { rateLimitRule } from './rules/rate-limit-rule.js';
import { spendingCapRule } from './rules/spending-cap-rule.js';
import { suspensionRule } from './rules/suspension-rule.js';

/**
 * The pre-send policy, in order: the person's own wishes and the law first (a refusal there is final
 * whatever the limits say), cheap questions before expensive ones. A new rule is one file in rules/ and
 * one line here; every outbound use case runs all of them before its provider is called.
 */
export const POLICY_RULES: readonly PolicyRule[] = [
  // Cheapest and most final: a suspended agent sends nothing at all.
  suspensionRule,
  optOutRule,
  doNotContactRule,
  consentRule,
  quietHoursRule,
  contentRule,
  rateLimitRule,
  contactLimitRule,
  spendingCapRule,
];
