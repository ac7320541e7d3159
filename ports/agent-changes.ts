/**
 * Changes to agents made by other processes on the same database (another server, the operator's CLI): what
 * caches of agent records (the caller a token stands for, webhook agents, per-agent limits) need to stay exact.
 * Changes made through this process's own Database are told by `Database.onAgentsChanged`, at once after commit.
 */
export interface AgentChangeFeed {
  /**
   * Whether other processes' changes are heard right now. While false (the listening connection is down) a
   * cache must not serve what it holds: a change made meanwhile would go unheard.
   */
  readonly heard: boolean;
  /** How long a cached agent record may be served at most, heard or not (a fallback against a lost notification). */
  readonly maxAgeMs: number;
  /**
   * `listener` runs when another process changed an agent, its addresses or its limits, and when changes may
   * have gone unheard (the listening connection came back): either way everything cached is to be read again.
   */
  subscribe(listener: () => void): () => void;
}

/**
 * One process alone on its database (SQLite): no other server to hear. The operator's CLI may still write to the
 * same file from another process; its changes are seen within `maxAgeMs`: shorter than any CLI command takes to
 * start, so a token disabled or rotated there is refused by the next request after the command returns. Even
 * so, a busy token is read about ten times a second, against thousands of requests.
 */
export const LOCAL_AGENT_CHANGES: AgentChangeFeed = {
  heard: true,
  maxAgeMs: 100,
  subscribe: () => () => undefined,
};
