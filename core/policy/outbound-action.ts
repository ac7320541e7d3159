import type { Purpose } from '../../ports/compliance.js';
import type { DomainError } from '../../ports/errors.js';
import type { AgentRecord } from '../../ports/records.js';
import type { CounterClaim } from '../../ports/usage.js';
import type { UseCaseContext } from '../context.js';
import type { UsageLine } from '../usage/pricing.js';
import type { ActionKind, EffectiveLimits } from '../usage/usage-settings.js';
import type { UsageWindow } from '../usage/windows.js';

/** Something an agent is about to do that reaches the outside world (and may cost money). */
export interface OutboundAction {
  kind: ActionKind;
  agent: AgentRecord;
  /** Everyone it reaches, normalised (E.164 numbers, lower-case email addresses). */
  contacts: readonly string[];
  /** The agent's own number or address it goes out from: opt-outs are per sender. */
  sender: string;
  /** Why it is sent; `transactional` when absent. Marketing needs consent where configured. */
  purpose?: Purpose;
  /** The text the recipient will read or hear (body, subject and text, spoken text), for the content filter. */
  content?: string;
  /** What it will use, priced from the table before the provider answers. */
  lines: readonly UsageLine[];
  /** Lines already done when the action is admitted (speech synthesised before the call), charged at once. */
  doneLines?: number;
}

/**
 * An amount a rule needs added to a limit counter, atomically with the action's own rows. Plain data (a
 * counter claim as the repository takes it, plus its window): the rule that asked for it words the refusal
 * only when the counter has no room, so an admitted send builds no refusal and no closure for one.
 */
export interface LimitClaim extends CounterClaim {
  window: UsageWindow;
  /** Action counts stay as claimed; spend follows the settled price. */
  kind: 'count' | 'spend';
  /** The rule that asked for it, named in the recorded refusal. */
  rule: LimitRule;
}

/** What every rule gets: the action, the agent's resolved limits (null when usage is off) and the time. */
export interface PolicyInput {
  ctx: UseCaseContext;
  action: OutboundAction;
  limits: EffectiveLimits | null;
  /** The action's price to the agent (markup included), micro-units. */
  priceMicros: number;
  now: Date;
}

/**
 * One question of the pre-send policy ("does this fit the daily cap?", "is this contact opted out?").
 * A rule allows by returning (claims on limit counters, often none) and refuses by throwing a
 * `DomainError` with its code, next step and safe details. Rules run in the order of `POLICY_RULES`.
 */
export interface PolicyRule {
  readonly name: string;
  evaluate(input: PolicyInput): readonly LimitClaim[] | Promise<readonly LimitClaim[]>;
}

/** A rule that claims limit counters, and words the refusal when one of its claims finds no room (`used` its counter's value). */
export interface LimitRule extends PolicyRule {
  refusal(claim: LimitClaim, used: number, input: PolicyInput): DomainError;
}

/** The row a reservation belongs to. */
export interface UsageLinks {
  messageId?: string;
  callId?: string;
}
