/** Usage, cost and limits: records shared by core and the repository adapters, and their repository. */

/** What a usage record is about: the three message channels, and voice (calls and speech synthesis). */
export type UsageChannel = 'sms' | 'email' | 'whatsapp' | 'voice';
export type UsageAction = 'message' | 'call' | 'tts';
/** What `units` counts: SMS segments, emails (recipients), WhatsApp conversations, call minutes, TTS characters. */
export type UsageUnit = 'segment' | 'email' | 'conversation' | 'minute' | 'character';

/**
 * `held`: budget reserved, the outcome not yet known (provider not answered, call in progress);
 * `charged`: counted as spent (estimated or final); `released`: nothing was done, the reservation undone.
 */
export type UsageState = 'held' | 'charged' | 'released';

/** An amount added to one limit counter by a usage record, kept so it can be undone or corrected. */
export interface CounterShare {
  counter: string;
  windowStart: Date;
  windowEnd: Date;
  amount: number;
  /** Spend shares follow the settled price; count shares (actions, contacts) stay as they are. */
  kind: 'count' | 'spend';
}

/** One billable action. Money is integer micro-units of `currency`, never floats. */
export interface UsageRecord {
  id: string;
  agentId: string;
  channel: UsageChannel;
  action: UsageAction;
  units: number;
  unit: UsageUnit;
  /** Plugin id of the adapter that carried it. */
  provider: string;
  /** E.164 calling-code prefix the price was looked up by (`+1`, `+44`); null when none applies. */
  destination: string | null;
  /** What the provider charges us. */
  costMicros: number;
  /** What the agent is charged: cost with its tier's markup. */
  priceMicros: number;
  /** The markup applied (basis points: 1250 = 12.5 %), kept so a settled cost gets the same one. */
  markupBasisPoints: number;
  currency: string;
  /** `price-table` (estimated from config) or `provider` (reported by the provider). */
  costSource: 'price-table' | 'provider';
  state: UsageState;
  /** A `held` record still unresolved at this time is resolved by the sweeper (crash safety). */
  heldUntil: Date | null;
  /** The counter amounts this record holds (undone on release, spend corrected on settlement). */
  shares: CounterShare[];
  messageId: string | null;
  callId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A claim's result: the counters' new values, or the first claim that had no room left and its counter's value. */
export type ClaimOutcome = { ok: true; values: CounterValue[] } | { ok: false; refused: CounterClaim; used: number };

/** An amount to add to a limit counter only if the counter stays within `cap`. */
export interface CounterClaim {
  counter: string;
  windowStart: Date;
  windowEnd: Date;
  amount: number;
  cap: number;
}

export interface CounterValue {
  counter: string;
  windowStart: Date;
  windowEnd: Date;
  used: number;
}

/** Per-agent limit settings: the tier it belongs to (null: the default tier) and its own overrides. */
export interface AgentLimitsRecord {
  agentId: string;
  tier: string | null;
  /** Same shape as a tier's limits in config (JSON-safe), each key overriding the tier's. */
  overrides: Record<string, unknown>;
  updatedAt: Date;
}

export interface UsageQuery {
  /** One agent, or every agent when absent. */
  agentId?: string;
  since: Date;
  until: Date;
}

/** Usage grouped by agent, UTC day and channel (held and charged records; released ones cost nothing). */
export interface UsageTotals {
  agentId: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  channel: UsageChannel;
  action: UsageAction;
  unit: UsageUnit;
  records: number;
  units: number;
  costMicros: number;
  priceMicros: number;
}

export type UsageRecordPatch = Partial<Pick<UsageRecord, 'state' | 'heldUntil' | 'units' | 'costMicros' | 'priceMicros' | 'costSource' | 'shares' | 'callId'>> & { updatedAt: Date };

export interface UsageRepository {
  /**
   * Reserves an action's budget, all or nothing: adds every claim's amount to its counter (a row per
   * agent, counter and window) and stores the `held` usage records that hold those amounts. When any
   * counter would pass its cap, nothing changes and the first such claim is returned with the counter's
   * current value. Atomic across server processes: two reservations never both take the last unit. It
   * is its own transaction (one statement where the database allows it), so the counter rows are locked
   * only for that instant, never across the action's other writes; a crash afterwards leaves `held`
   * records that the sweeper resolves when their hold expires. Where Database.reservesWithAction, the
   * policy makes it inside the action's transaction instead, and it must hold there too (undone with it).
   */
  reserve(agentId: string, claims: readonly CounterClaim[], records: readonly UsageRecord[]): Promise<ClaimOutcome>;
  /** Adds (or, negative, removes) amounts regardless of caps: releases, settlements, refusal counts. */
  adjust(agentId: string, shares: readonly Omit<CounterShare, 'kind'>[]): Promise<void>;
  /** Deletes counters whose window ended before `endedBefore` (they decide nothing any more). */
  pruneCounters(endedBefore: Date): Promise<number>;
  /** The agent's (null: every agent's) counters whose window ends after `at` (the current ones), optionally by name prefix. */
  counters(agentId: string | null, at: Date, prefix?: string): Promise<Array<CounterValue & { agentId: string }>>;
  insertRecords(records: readonly UsageRecord[]): Promise<void>;
  /** Applies the patch only when the stored state is one of `onlyFrom`; returns whether it did. */
  updateRecord(id: string, patch: UsageRecordPatch, onlyFrom: readonly UsageState[]): Promise<boolean>;
  findByMessage(messageId: string): Promise<UsageRecord[]>;
  findByCall(callId: string): Promise<UsageRecord[]>;
  /** `held` records whose `heldUntil` is at or before `now`, oldest first. */
  expiredHolds(now: Date, limit: number): Promise<UsageRecord[]>;
  /**
   * Charges, in one statement, up to `limit` expired `held` records (oldest first) of messages that reached
   * the provider: the message has a provider id, a status past `pending` / `failed`, or failed by a timeout
   * (it may have been sent). Sets `heldUntil` null and `updatedAt` to `at`; returns how many it charged.
   * Holds of calls, of messages that never reached the provider and of messages not stored stay for
   * `expiredHolds`.
   */
  chargeReachedMessageHolds(now: Date, at: Date, limit: number): Promise<number>;
  totals(query: UsageQuery): Promise<UsageTotals[]>;
  getLimits(agentId: string): Promise<AgentLimitsRecord | null>;
  setLimits(record: AgentLimitsRecord): Promise<void>;
  listLimits(): Promise<AgentLimitsRecord[]>;
  /** Notes that `threshold` was crossed for `period`; true only for the first call (alerts go out once). */
  markAlert(agentId: string, period: string, threshold: number, at: Date): Promise<boolean>;
}

/** A refusal by the pre-send policy, as recorded: codes and ids only, never numbers, addresses or bodies. */
export interface PolicyRefusal {
  agentId: string;
  /** The refusing rule (`rate-limit`, `spending-cap` …). */
  rule: string;
  code: string;
  /** `sms`, `email`, `whatsapp`, `call`. */
  action: string;
  at: Date;
  requestId: string;
  details: Record<string, string | number | boolean | null | undefined>;
}

/**
 * Where policy refusals go, once each, from the one place the pipeline records them: the log today;
 * audit trail and metrics plug in here.
 */
export interface PolicyRecorder {
  refused(refusal: PolicyRefusal): void | Promise<void>;
}
