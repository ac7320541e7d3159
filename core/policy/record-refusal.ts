import type { DomainError } from '../../ports/errors.js';
import type { PolicyRefusal } from '../../ports/usage.js';
import type { UseCaseContext } from '../context.js';
import { raiseCapReachedAlert } from '../usage/usage-alerts.js';
import { windowAt } from '../usage/windows.js';
import type { LimitClaim, OutboundAction } from './outbound-action.js';

/** Detail keys that may name a person: never recorded, whatever a rule put in its error. */
const PERSONAL = new Set(['to', 'from', 'contact', 'address', 'body', 'text', 'subject']);

/**
 * The one place a policy refusal is recorded: counted for the usage dashboard, handed to the
 * `PolicyRecorder` port (the log; audit and metrics plug in there), and, for a spending cap, the 100 %
 * alert. Recording never turns the refusal into another error.
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
    // A suspended agent's own refusals are the suspension working, not a new burst.
    if (error.code !== 'AGENT_SUSPENDED') await ports.anomalies.observeRefusal(action.agent.id);
    if (claim?.kind === 'spend') await raiseCapReachedAlert(ports, action.agent, claim);
  } catch (err) {
    ports.logger.error({ err, agentId: action.agent.id, code: error.code, rule }, 'recording a policy refusal failed');
  }
}
