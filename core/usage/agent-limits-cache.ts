import type { AgentLimitsRecord } from '../../ports/usage.js';
import type { CorePorts } from '../context.js';

/**
 * Per-agent limit settings change rarely and are read on every send: each server keeps them for a
 * second. A change made through this server applies to its next send at once; other servers sharing the
 * database see it within that second.
 */
const TTL_MS = 1_000;

const caches = new WeakMap<object, Map<string, { record: AgentLimitsRecord | null; until: number }>>();

function cacheOf(ports: CorePorts): Map<string, { record: AgentLimitsRecord | null; until: number }> {
  let cache = caches.get(ports.db);
  if (!cache) caches.set(ports.db, (cache = new Map()));
  return cache;
}

export async function agentLimits(ports: CorePorts, agentId: string): Promise<AgentLimitsRecord | null> {
  const cache = cacheOf(ports);
  const now = ports.clock.now().getTime();
  const hit = cache.get(agentId);
  if (hit && hit.until > now) return hit.record;
  const record = await ports.db.usage.getLimits(agentId);
  cache.set(agentId, { record, until: now + TTL_MS });
  return record;
}

export function forgetAgentLimits(ports: CorePorts, agentId: string): void {
  cacheOf(ports).delete(agentId);
}
