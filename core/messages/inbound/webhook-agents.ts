import type { AgentChannelRecord, AgentRecord, Channel } from '../../../ports/records.js';
import type { CorePorts } from '../../context.js';

/**
 * The agents webhooks are for, and who owns the number or mailbox an event was sent to: read by every inbound
 * webhook (three lookups each before this cache, a round trip each on PostgreSQL), changed rarely. Each server
 * keeps what it found for a second; a change made through this server clears it at once (forgetWebhookAgents);
 * other servers sharing the database see it within that second, as for the per-agent limits
 * (agent-limits-cache.ts). Only what exists is kept: a new agent or address is seen by the next webhook.
 */
const TTL_MS = 1_000;
/** Bounded so that a flood of webhooks for unknown ids cannot grow it (only found ones are kept, but still). */
const MAX_ENTRIES = 10_000;

/** The lookup itself, so that the webhooks arriving together when an entry expires share one read. */
interface Entry<T> { value: Promise<T | null>; until: number }
interface Cache {
  agents: Map<string, Entry<AgentRecord>>;
  owners: Map<string, Entry<AgentChannelRecord>>;
}

const caches = new WeakMap<object, Cache>();

function cacheOf(ports: CorePorts): Cache {
  let cache = caches.get(ports.db);
  if (!cache) caches.set(ports.db, (cache = { agents: new Map(), owners: new Map() }));
  return cache;
}

function cached<T>(ports: CorePorts, map: Map<string, Entry<T>>, key: string, load: () => Promise<T | null>): Promise<T | null> {
  const now = ports.clock.now().getTime();
  const hit = map.get(key);
  if (hit && hit.until > now) return hit.value;
  if (map.size >= MAX_ENTRIES) map.clear();
  const entry: Entry<T> = { value: load(), until: now + TTL_MS };
  map.set(key, entry);
  // Not found, or the read failed: nothing is kept (the next webhook reads again).
  const forget = () => {
    if (map.get(key) === entry) map.delete(key);
  };
  entry.value.then((value) => value === null && forget(), forget);
  return entry.value;
}

export function webhookAgentById(ports: CorePorts, agentId: string): Promise<AgentRecord | null> {
  return cached(ports, cacheOf(ports).agents, agentId, () => ports.db.agents.findById(agentId));
}

/** The agent's address `address` on `channel` (email addresses are looked up as given: lower-case them first). */
export function webhookAddressOwner(ports: CorePorts, channel: Channel, address: string): Promise<AgentChannelRecord | null> {
  return cached(ports, cacheOf(ports).owners, `${channel}\u0000${address}`, () => ports.db.agents.findChannelByAddress(channel, address));
}

/** After any change to agents or their addresses through this server: the next webhook reads them again. */
export function forgetWebhookAgents(ports: Pick<CorePorts, 'db'>): void {
  const cache = caches.get(ports.db);
  cache?.agents.clear();
  cache?.owners.clear();
}
