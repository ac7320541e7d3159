import type { AgentLimitsRecord } from '../../ports/usage.js';
import type { CorePorts } from '../context.js';

/**
 * Per-agent limit settings change rarely and are read on every send: each server keeps them for a
 * second. A change made through this server applies to its next send at once; other servers sharing the
 * database see it within that second. One read per agent and second at most: the sends that find the
 * entry expired together share the read already under way (64 concurrent sends made 64 reads each second).
 */
const TTL_MS = 1_000;

interface Entry {
  record: Promise<AgentLimitsRecord | null>;
  until: number;
}

const caches = new WeakMap<object, Map<string, Entry>>();

function cacheOf(ports: CorePorts): Map<string, Entry> {
  let cache = caches.get(ports.db);
  if (!cache) caches.set(ports.db, (cache = new Map()));
  return cache;
}

export function agentLimits(ports: CorePorts, agentId: string): Promise<AgentLimitsRecord | null> {
  const cache = cacheOf(ports);
  const now = ports.clock.now().getTime();
  const hit = cache.get(agentId);
  if (hit && hit.until > now) return hit.record;
  const entry: Entry = { record: ports.db.usage.getLimits(agentId), until: now + TTL_MS };
  cache.set(agentId, entry);
  // A failed read is not kept: the next send reads again.
  entry.record.catch(() => {
    if (cache.get(agentId) === entry) cache.delete(agentId);
  });
  return entry.record;
}

export function forgetAgentLimits(ports: CorePorts, agentId: string): void {
  cacheOf(ports).delete(agentId);
}
