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

export interface McpSessionRepository {
  /** Stores a new session; a reused id replaces nothing (`CONFLICT`). */
  insert(record: McpSessionRecord): Promise<void>;
  findById(id: string): Promise<McpSessionRecord | null>;
  /** Sets lastSeenAt; false when the session is no longer stored (ended or expired elsewhere). */
  touch(id: string, at: Date): Promise<boolean>;
  /** Whether it was there to remove. */
  remove(id: string): Promise<boolean>;
  /** Removes the sessions last seen before `cutoff`; how many. */
  removeIdleBefore(cutoff: Date): Promise<number>;
}
