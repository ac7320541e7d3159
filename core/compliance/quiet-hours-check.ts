import type { CorePorts } from '../context.js';
import type { AgentRecord } from '../../ports/records.js';
import { agentCompliance } from './agent-compliance.js';
import type { QuietHoursWindow } from './compliance-settings.js';
import { nextAllowed } from './quiet-hours.js';
import { isKnownZone } from './zoned-time.js';

/** Where quiet hours stand for one number now. */
export type QuietHoursVerdict =
  | { allowed: true }
  | { allowed: false; window: QuietHoursWindow; timeZones: string[]; country: string | null; next: { at: Date; zone: string } | null };

/** The window for a number: the agent's own (by country, then its default), then the server's (likewise). */
function windowFor(ports: CorePorts, own: Awaited<ReturnType<typeof agentCompliance>>, country: string | null): QuietHoursWindow {
  const server = ports.settings.compliance.quietHours;
  const agent = own.quietHours;
  const byCountry = (countries: Record<string, QuietHoursWindow> | undefined) => (country ? countries?.[country] : undefined);
  const base = byCountry(server.countries) ?? server.window;
  const ownWindow = agent?.start || agent?.end ? { start: agent.start ?? base.start, end: agent.end ?? base.end } : undefined;
  return byCountry(agent?.countries) ?? ownWindow ?? base;
}

/**
 * Whether a call or text to `e164` is inside the allowed hours in every time zone the number may be in
 * (before any reply exception). Numbers of an unknown calling code have no zone to check and pass.
 */
export async function quietHoursVerdict(ports: CorePorts, agent: AgentRecord, e164: string, now: Date): Promise<QuietHoursVerdict> {
  const own = await agentCompliance(ports, agent.id);
  if (own.quietHours?.enabled === false) return { allowed: true };
  const location = ports.phoneLocations.locate(e164);
  const timeZones = location.timeZones.filter(isKnownZone);
  if (timeZones.length === 0) return { allowed: true };
  const window = windowFor(ports, own, location.country);
  const next = nextAllowed(now, timeZones, window);
  if (next && next.at.getTime() === now.getTime()) return { allowed: true };
  return { allowed: false, window, timeZones, country: location.country, next };
}

/** A reply inside a conversation the person started: they wrote to this agent within the reply window. */
export async function isRecentConversation(ports: CorePorts, agentId: string, contact: string, now: Date): Promise<boolean> {
  const hours = ports.settings.compliance.quietHours.replyWindowHours;
  if (hours <= 0) return false;
  const since = new Date(now.getTime() - hours * 3_600_000);
  return (await ports.db.messages.list({ agentId, direction: 'inbound', contact, since, limit: 1 })).length > 0;
}
