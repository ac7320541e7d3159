/**
 * Agent changes made by any process on one PostgreSQL schema. The database itself notifies: statement triggers
 * on agents, agent_channels and agent_limits (Migration20261204100100_agent_change_notify) send a NOTIFY on the
 * schema's `agents` channel as the writing transaction commits, so every writer is heard — another server, the
 * operator's CLI, a hand-written UPDATE — without any of them having to remember to publish.
 * The trigger's payload carries the table name alone (no ids, no personal data) behind a `db|` origin, which
 * is never a process's own origin: this process hears its own changes too (it has already cleared its caches
 * synchronously; clearing again costs a read).
 */
import type { AgentChangeFeed } from '../../ports/agent-changes.js';
import type { Logger } from '../../ports/runtime.js';
import { ChangeListeners } from '../node/change-listeners.js';
import { channelName, type PgNotifyBus } from './pg-notify-bus.js';

/** A cached agent record is read again after this long even when no change was heard (a lost NOTIFY is bounded). */
const MAX_AGE_MS = 30_000;

export class PgAgentChanges implements AgentChangeFeed {
  readonly channel: string;
  readonly maxAgeMs = MAX_AGE_MS;
  private readonly listeners: ChangeListeners;

  constructor(private readonly bus: PgNotifyBus, schema: string | undefined, logger: Logger) {
    this.channel = channelName('agents', schema);
    this.listeners = new ChangeListeners(logger, 'an agent change');
    bus.on(this.channel, () => this.changed());
    // What was notified while no connection listened went unheard: everything cached is suspect.
    bus.onListening(() => this.changed());
  }

  get heard(): boolean {
    return this.bus.listening;
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  private changed(): void {
    this.listeners.notify();
  }
}
