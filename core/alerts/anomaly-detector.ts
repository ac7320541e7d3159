import type { Alerts } from '../../ports/alerts.js';
import type { AgentRepository } from '../../ports/repositories.js';
import type { Clock, Logger } from '../../ports/runtime.js';
import type { AnomalySettings } from './alert-settings.js';
import { EventWindow } from './event-window.js';

const HOUR_MS = 3_600_000;
/** Contacts remembered per agent to tell new ones from known ones; the oldest are forgotten past this. */
const KNOWN_CONTACTS_PER_AGENT = 10_000;

export type AnomalyFinding = 'send-volume' | 'new-contacts' | 'refusals' | 'token-rotations';

interface Deps {
  alerts: Alerts;
  agents: Pick<AgentRepository, 'update'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Watches each agent for behaviour far from its own: send volume far above its baseline (the mean of its
 * previous hours), many new contacts in a short time, bursts of policy refusals, rapid token rotation.
 * Each finding raises a HIGH alert and, with `suspend`, suspends the agent's sending (AGENT_SUSPENDED in
 * the pre-send policy) until an admin resumes it. Counts live in this process's memory (contacts as
 * hashes); the suspension itself is stored on the agent, so it holds across processes and restarts.
 */
export class AnomalyDetector {
  private readonly hourly = new Map<string, Map<number, number>>();
  private readonly known = new Map<string, Set<string>>();
  private readonly newContacts: EventWindow;
  private readonly refusals: EventWindow;
  private readonly rotations: EventWindow;

  constructor(private readonly settings: AnomalySettings, private readonly deps: Deps) {
    this.newContacts = new EventWindow(deps.clock, () => settings.newContacts.windowSeconds * 1000);
    this.refusals = new EventWindow(deps.clock, () => settings.refusals.windowSeconds * 1000);
    this.rotations = new EventWindow(deps.clock, () => settings.tokenRotations.windowSeconds * 1000);
  }

  /** An admitted outbound action to these contacts (hashes, never addresses). */
  async observeSend(agentId: string, contactHashes: readonly string[]): Promise<void> {
    const volume = this.countThisHour(agentId);
    const { factor, minimum } = this.settings.sendVolume;
    const baseline = this.baseline(agentId);
    if (volume >= minimum && volume > factor * baseline) {
      await this.found(agentId, 'send-volume', `sent ${volume} this hour against a baseline of ${baseline.toFixed(1)} an hour`, { sentThisHour: volume, baselinePerHour: Number(baseline.toFixed(1)) });
    }
    let fresh = 0;
    const known = this.known.get(agentId) ?? new Set<string>();
    this.known.set(agentId, known);
    for (const hash of contactHashes) {
      if (known.has(hash)) continue;
      known.add(hash);
      if (known.size > KNOWN_CONTACTS_PER_AGENT) known.delete(known.values().next().value!);
      fresh = this.newContacts.add(agentId);
    }
    const { count, windowSeconds } = this.settings.newContacts;
    if (fresh >= count) await this.found(agentId, 'new-contacts', `wrote to ${fresh} new contacts in ${windowSeconds} s`, { newContacts: fresh, windowSeconds });
  }

  async observeRefusal(agentId: string): Promise<void> {
    const seen = this.refusals.add(agentId);
    const { count, windowSeconds } = this.settings.refusals;
    if (seen >= count) await this.found(agentId, 'refusals', `had ${seen} sends refused in ${windowSeconds} s`, { refusals: seen, windowSeconds });
  }

  async observeTokenRotation(agentId: string): Promise<void> {
    const seen = this.rotations.add(agentId);
    const { count, windowSeconds } = this.settings.tokenRotations;
    if (seen >= count) await this.found(agentId, 'token-rotations', `had its token rotated ${seen} times in ${windowSeconds} s`, { rotations: seen, windowSeconds });
  }

  /** An admin resumed the agent: its counts start afresh, so the same history does not suspend it again. */
  forget(agentId: string): void {
    this.hourly.delete(agentId);
    for (const window of [this.newContacts, this.refusals, this.rotations]) window.clear(agentId);
  }

  private countThisHour(agentId: string): number {
    const hour = Math.floor(this.deps.clock.now().getTime() / HOUR_MS);
    const buckets = this.hourly.get(agentId) ?? new Map<number, number>();
    this.hourly.set(agentId, buckets);
    const count = (buckets.get(hour) ?? 0) + 1;
    buckets.set(hour, count);
    for (const past of buckets.keys()) if (past < hour - this.settings.sendVolume.baselineHours) buckets.delete(past);
    return count;
  }

  /** Mean sends per hour over the previous `baselineHours` hours (0 for an agent with no history). */
  private baseline(agentId: string): number {
    const hour = Math.floor(this.deps.clock.now().getTime() / HOUR_MS);
    const { baselineHours } = this.settings.sendVolume;
    let total = 0;
    for (const [at, count] of this.hourly.get(agentId) ?? []) if (at < hour && at >= hour - baselineHours) total += count;
    return total / baselineHours;
  }

  private async found(agentId: string, finding: AnomalyFinding, what: string, details: Record<string, number>): Promise<void> {
    const suspend = this.settings.suspend;
    this.deps.alerts.raise({
      trigger: 'anomaly', key: `anomaly:${finding}:${agentId}`, severity: 'HIGH',
      summary: `Agent ${agentId} ${what}${suspend ? ': its sending is suspended until an admin resumes it' : ''}.`,
      details: { agentId, finding, suspended: suspend, ...details },
    });
    if (!suspend) return;
    try {
      await this.deps.agents.update(agentId, { sendingSuspended: finding, updatedAt: this.deps.clock.now() });
    } catch (err) {
      this.deps.logger.error({ err, agentId, finding }, 'suspending an agent failed');
    }
  }
}
