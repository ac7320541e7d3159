/**
 * The audit trail: an append-only, hash-chained record of who did what to which ids, and how it ended.
 * Entries hold ids, codes and counts only: never message bodies, numbers, addresses or tokens.
 */

/** Who acted: the operator (admin token), an agent (its token), the server itself, or an unauthenticated source. */
export type AuditActorKind = 'admin' | 'customer' | 'agent' | 'system' | 'anonymous';

/** Flat values only, so the canonical form of an entry is a plain sorted list. */
export type AuditValue = string | number | boolean | null;

/** What an entry says, before the chain places it. */
export interface AuditDraft {
  id: string;
  at: Date;
  actorKind: AuditActorKind;
  /** The agent id for `agent`, null otherwise (an anonymous source is named by a keyed hash in `targets`). */
  actorId: string | null;
  /** `agent.create`, `agent.token.rotate`, `policy.refusal` … */
  action: string;
  /** The agent the action concerns, when there is one (filters the trail). */
  agentId: string | null;
  /** Ids of what the action touched (message id, contact hash, sender id …). */
  targets: Record<string, AuditValue>;
  /** `ok`, or the error code the action ended with. */
  outcome: string;
  requestId: string | null;
}

/** A stored entry: its place in the chain, the previous entry's hash and its own. */
export interface AuditEntry extends AuditDraft {
  /** 1, 2, 3 … without gaps. */
  seq: number;
  /** Hex SHA-256 of the entry before (64 zeros for the first). */
  prevHash: string;
  /** Hex SHA-256 over `prevHash` and the entry's canonical content. */
  hash: string;
}

export interface AuditQuery {
  action?: string;
  agentId?: string;
  /** Only entries about this customer's agents or made with its admin token. */
  customerId?: string;
  /** At or after. */
  since?: Date;
  /** Strictly before. */
  until?: Date;
  /** Keyset cursor: only entries with a smaller seq (newest first). */
  beforeSeq?: number;
  limit: number;
}

export interface AuditRepository {
  /**
   * Appends `draft` after the last entry. `seal` computes the new entry's hash from its seq and the
   * previous hash; the append is serialised with every other append (across server processes), so the
   * chain never forks. Inside `Database.transaction`, the entry commits or rolls back with the action.
   */
  append(draft: AuditDraft, seal: (seq: number, prevHash: string) => string): Promise<AuditEntry>;
  /** Newest first (seq desc). */
  list(query: AuditQuery): Promise<AuditEntry[]>;
  /** Entries in chain order (seq asc) with seq > `afterSeq`, at most `limit` (for verification). */
  chain(afterSeq: number, limit: number): Promise<AuditEntry[]>;
}
