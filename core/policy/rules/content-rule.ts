import { DomainError } from '../../../ports/errors.js';
import type { PolicyRule } from '../outbound-action.js';

/**
 * Outbound text is screened for threats, harassment, profanity and the operator's own word list: blocked
 * (CONTENT_BLOCKED naming the rule, never the words) or, in `flag` mode, sent and logged.
 */
export const contentRule: PolicyRule = {
  name: 'content',
  evaluate({ ctx, action }) {
    const { mode } = ctx.ports.settings.compliance.content;
    if (mode === 'off' || !action.content) return [];
    const findings = ctx.ports.contentFilter.check(action.content);
    if (findings.length === 0) return [];
    const rules = findings.map((f) => f.rule);
    if (mode === 'flag') {
      ctx.ports.logger.warn({ agentId: action.agent.id, action: action.kind, rules, requestId: ctx.requestId }, 'outbound content flagged');
      return [];
    }
    throw new DomainError(
      'CONTENT_BLOCKED',
      `The text was blocked by the content rule "${rules[0]}".`,
      'Rewrite the text without threatening, harassing or profane language (or words the operator listed), then send again.',
      { rule: rules[0], rules: rules.join(',') },
    );
  },
};
