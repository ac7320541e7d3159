import type { DomainError } from '../../ports/errors.js';
import type { PolicyRefusal } from '../../ports/usage.js';
import type { AuditValue } from '../../ports/audit.js';
import type { UseCaseContext } from '../context.js';
import { raiseCapReachedAlert } from '../usage/usage-alerts.js';
import { windowAt } from '../usage/windows.js';
import type { LimitClaim, OutboundAction } from './outbound-action.js';
import { actorOf, recordAudit } from '../audit/record-audit.js';

/** Detail keys that may name a person: never recorded, whatever a rule put in its error. */
const PERSONAL = new Set(['to', 'from', 'contact', 'address', 'body', 'text', 'subject']);

/** Rules that enforce the operator's limits; every other rule is a compliance rule. */
const LIMIT_RULES = new Set(['rate-limit', 'contact-limit', 'spending-cap']);

/** The refusal's details as audit values (ids, codes, numbers); absent ones left out. */
function auditable(details: PolicyRefusal['details']): Record<string, AuditValue> {
  return Object.fromEntries(Object.entries(details).filter((entry): entry is [string, AuditValue] => entry[1] !== undefined));
}

export function refusalKind(rule: string): 'limit' | 'compliance' {
  return LIMIT_RULES.has(rule) ? 'limit' : 'compliance';
}

/**
 * The one place a policy refusal is recorded: counted for the usage dashboard, handed to the
 * `PolicyRecorder` port (the log and the metrics), written to the audit trail, and, for a spending cap,
 * the 100 % alert. Recording never turns the refusal into another error.
 */
export async function recordRefusal(ctx: UseCaseContext, action: OutboundAction, rule: string, error: DomainError, claim?: LimitClaim): Promise<void> {
  const { ports } = ctx;
  const at = ports.clock.now();
  const details = Object.fromEntries(Object.entries(error.details).filter(([key]) => !PERSONAL.has(key)));
  const refusal: PolicyRefusal = { agentId: action.agent.id, rule, code: error.code, action: action.kind, at, requestId: ctx.requestId, details };
  try {
    if (ports.settings.usage.enabled) {
      const day = windowAt('day', at);
      await ports.db.usage.adjust(action.agent.id, [{ counter: `refused:${error.code}`, windowStart: day.start, windowEnd: day.end, amount: 1 }]);
    }
    await ports.policyRecorder.refused(refusal);
    await recordAudit(ports, actorOf(ctx.caller), {
      action: 'policy.refusal',
      agentId: action.agent.id,
      targets: { ...auditable(details), kind: refusalKind(rule), rule, action: action.kind },
    }, error.code, ctx.requestId);
    // A suspended agent's own refusals are the suspension working, not a new burst.
    if (error.code !== 'AGENT_SUSPENDED') await ports.anomalies.observeRefusal(action.agent.id);
    if (claim?.kind === 'spend') await raiseCapReachedAlert(ports, action.agent, claim);
  } catch (err) {
    ports.logger.error({ err, agentId: action.agent.id, code: error.code, rule }, 'recording a policy refusal failed');
  }
}
