import type { CorePorts } from '../context.js';
import type { QuietHoursWindow } from './compliance-settings.js';

/** An agent's own compliance settings over the server's (comms_set_agent_compliance). */
export interface AgentComplianceSettings {
  quietHours?: Partial<QuietHoursWindow> & { enabled?: boolean; countries?: Record<string, QuietHoursWindow> };
}

/** Read on every call and text, changed rarely: kept for a second per server, like agent limits. */
const TTL_MS = 1_000;
const caches = new WeakMap<object, Map<string, { settings: AgentComplianceSettings; until: number }>>();

export async function agentCompliance(ports: CorePorts, agentId: string): Promise<AgentComplianceSettings> {
  let cache = caches.get(ports.db);
  if (!cache) caches.set(ports.db, (cache = new Map()));
  const now = ports.clock.now().getTime();
  const hit = cache.get(agentId);
  if (hit && hit.until > now) return hit.settings;
  const record = await ports.db.compliance.getAgentSettings(agentId);
  const settings = (record?.settings ?? {}) as AgentComplianceSettings;
  cache.set(agentId, { settings, until: now + TTL_MS });
  return settings;
}

export function forgetAgentCompliance(ports: CorePorts, agentId: string): void {
  caches.get(ports.db)?.delete(agentId);
}
