/**
 * MCP Streamable HTTP sessions, stored so that any instance behind a load balancer can serve a session
 * another one opened: what the initialize request established, and who may use it. No token, no message.
 */
export interface McpSessionRecord {
  /** The `Mcp-Session-Id` the server issued. */
  id: string;
  /** The principal that opened the session (`agent:<id>`, `admin` …); no other may use it. */
  owner: string;
  /** The protocol version negotiated at initialization. */
  protocolVersion: string;
  /** The client's capabilities as it declared them (elicitation, sampling, roots, tasks …). */
  clientCapabilities: Record<string, unknown>;
  /** The client's name and version as it declared them. */
  clientInfo: Record<string, unknown>;
  createdAt: Date;
  /** Last use, written at most about once a minute per session (not on every request). */
  lastSeenAt: Date;
}

export interface McpSessionRepository extends McpSubscriptionRepository {
  /** Stores a new session; a reused id replaces nothing (`CONFLICT`). */
  insert(record: McpSessionRecord): Promise<void>;
  findById(id: string): Promise<McpSessionRecord | null>;
  /** Sets lastSeenAt; false when the session is no longer stored (ended or expired elsewhere). */
  touch(id: string, at: Date): Promise<boolean>;
  /** Whether it was there to remove (its subscriptions go with it). */
  remove(id: string): Promise<boolean>;
  /** Removes the sessions last seen before `cutoff`, with their subscriptions; how many. */
  removeIdleBefore(cutoff: Date): Promise<number>;
}

/** A resource a stored session subscribed to, and the agent whose events change it. */
export interface McpSubscriptionRecord {
  uri: string;
  agentId: string;
}

/** The longest resource URI a session may subscribe to (what is stored and sent between servers stays small). */
export const MAX_SUBSCRIBED_URI_LENGTH = 512;

/**
 * The resource subscriptions of stored sessions, kept with the session (and removed with it), so that whichever
 * instance holds a session's GET stream, now or after a failover, knows what to notify it about.
 */
export interface McpSubscriptionRepository {
  /** Adds one (a second for the same URI changes nothing); a session that is not stored gets none. */
  subscribe(sessionId: string, subscription: McpSubscriptionRecord, at: Date): Promise<void>;
  /** Whether it was there to remove. */
  unsubscribe(sessionId: string, uri: string): Promise<boolean>;
  /** The session's subscriptions, in URI order. */
  subscriptionsOf(sessionId: string): Promise<McpSubscriptionRecord[]>;
}

/** A session subscribed to or unsubscribed from a resource (ids and a resource URI, never personal data). */
export type McpSubscriptionChange =
  | { kind: 'subscribed'; sessionId: string; uri: string; agentId: string }
  | { kind: 'unsubscribed'; sessionId: string; uri: string };

/**
 * Tells the other servers on the database that a session's subscriptions changed, so the one holding the
 * session's GET stream listens (or stops) at once; a stream opened later reads the stored subscriptions instead.
 * The sender applies its own change; listeners hear only the other servers'. Best effort, at most once.
 */
export interface McpSubscriptionChanges {
  /** Resolves once the change is on its way (or could not be sent: it never rejects). */
  publish(change: McpSubscriptionChange): Promise<void>;
  /** Calls `listener` for each change another server publishes; returns the function that stops it. */
  listen(listener: (change: McpSubscriptionChange) => void): () => void;
}

/** One process (SQLite): no other server to tell. */
export const LOCAL_SUBSCRIPTION_CHANGES: McpSubscriptionChanges = {
  publish: () => Promise.resolve(),
  listen: () => () => undefined,
};
