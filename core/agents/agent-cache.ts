import type { AgentChannelRecord, AgentRecord } from '../../ports/records.js';
import type { AgentWithChannels } from '../../ports/repositories.js';
import type { AgentLimitsRecord } from '../../ports/usage.js';
import type { CorePorts } from '../context.js';

/**
 * Agent records read on every request and changed rarely, kept per server: the caller an agent token stands for
 * (its agent and addresses, by token hash: every request of that token, MCP or REST, any session), the agents
 * webhooks name and the owners of the addresses they were sent to, and each agent's limits.
 *
 * Never served stale: everything is dropped at once when an agent, its addresses or its limits change — through
 * this server synchronously after the write commits (Database.onAgentsChanged), through any other process as its
 * transaction commits (AgentChangeFeed: a PostgreSQL trigger's NOTIFY). While other processes' changes cannot be
 * heard (the listening connection is down) nothing is served from here; an entry is read again after
 * `maxAgeMs` regardless (a lost notification is bounded). Lookups that arrive together while an entry is being
 * read share that read.
 */

/** Bounded so that a flood of lookups cannot grow it (only what exists is kept, but still). */
const MAX_ENTRIES = 10_000;

interface Entry<T> { value: Promise<T>; until: number }

class AgentCache {
  readonly callers = new Map<string, Entry<AgentWithChannels | null>>();
  readonly agents = new Map<string, Entry<AgentRecord | null>>();
  readonly owners = new Map<string, Entry<AgentChannelRecord | null>>();
  readonly limits = new Map<string, Entry<AgentLimitsRecord | null>>();

  clear(): void {
    this.callers.clear();
    this.agents.clear();
    this.owners.clear();
    this.limits.clear();
  }
}

const caches = new WeakMap<object, AgentCache>();

function cacheOf(ports: Pick<CorePorts, 'db' | 'agentChanges'>): AgentCache {
  let cache = caches.get(ports.db);
  if (!cache) {
    const created = new AgentCache();
    ports.db.onAgentsChanged(() => created.clear());
    ports.agentChanges.subscribe(() => created.clear());
    caches.set(ports.db, (cache = created));
  }
  return cache;
}

/**
 * `load`'s value, from the cache when fresh. `keepMissing`: whether a null is kept too (an agent without limits
 * is the common case; an unknown token or address is not kept, so a new one is seen at once).
 */
function cached<T>(
  ports: CorePorts, map: Map<string, Entry<T | null>>, key: string, load: () => Promise<T | null>, keepMissing = false,
): Promise<T | null> {
  const { agentChanges } = ports;
  if (!agentChanges.heard) return load();
  const now = ports.clock.now().getTime();
  const hit = map.get(key);
  if (hit && hit.until > now) return hit.value;
  if (map.size >= MAX_ENTRIES) map.clear();
  const entry: Entry<T | null> = { value: load(), until: now + agentChanges.maxAgeMs };
  map.set(key, entry);
  // A failed read is never kept (the next lookup reads again); nor a missing record unless asked.
  const forget = () => {
    if (map.get(key) === entry) map.delete(key);
  };
  entry.value.then((value) => value === null && !keepMissing && forget(), forget);
  return entry.value;
}

/** The agent whose token hashes to `tokenHash`, with its addresses; null (not kept) when none. */
export function callerByTokenHash(ports: CorePorts, tokenHash: string): Promise<AgentWithChannels | null> {
  return cached(ports, cacheOf(ports).callers, tokenHash, () => ports.db.agents.findByTokenHash(tokenHash));
}

export function webhookAgentById(ports: CorePorts, agentId: string): Promise<AgentRecord | null> {
  return cached(ports, cacheOf(ports).agents, agentId, () => ports.db.agents.findById(agentId));
}

/** The agent's address `address` on `channel` (email addresses are looked up as given: lower-case them first). */
export function webhookAddressOwner(ports: CorePorts, channel: AgentChannelRecord['channel'], address: string): Promise<AgentChannelRecord | null> {
  return cached(ports, cacheOf(ports).owners, `${channel}\u0000${address}`, () => ports.db.agents.findChannelByAddress(channel, address));
}

/** The agent's limit settings; null (kept) when it has none of its own. */
export function agentLimits(ports: CorePorts, agentId: string): Promise<AgentLimitsRecord | null> {
  return cached(ports, cacheOf(ports).limits, agentId, () => ports.db.usage.getLimits(agentId), true);
}
