/**
 * Agent events shared by every server on one PostgreSQL database: a publish is delivered to this process's
 * listeners at once (synchronously, as in one process) and sent as a NOTIFY on the schema's channel; the
 * other processes deliver it to theirs. The bus skips the echo of our own NOTIFY, so each listener hears an
 * event exactly once. Payloads are the event itself: ids and a time, no personal data.
 */
import { AGENT_EVENT_KINDS, type AgentEvent, type AgentEventListener, type AgentEvents } from '../../ports/agent-events.js';
import type { Logger } from '../../ports/runtime.js';
import { InProcessAgentEvents } from '../node/in-process-agent-events.js';
import { channelName, type PgNotifyBus } from './pg-notify-bus.js';

export class PgAgentEvents implements AgentEvents {
  private readonly local: InProcessAgentEvents;
  readonly channel: string;

  constructor(private readonly bus: PgNotifyBus, schema: string | undefined, private readonly logger: Logger) {
    this.local = new InProcessAgentEvents(logger);
    this.channel = channelName('events', schema);
    bus.on(this.channel, (payload) => this.received(payload));
  }

  publish(event: AgentEvent): void {
    this.local.publish(event);
    const { agentId, kind, id, at } = event;
    this.bus.notify(this.channel, JSON.stringify({ agentId, kind, id, at }));
  }

  subscribe(agentId: string, listener: AgentEventListener): () => void {
    return this.local.subscribe(agentId, listener);
  }

  listenerCount(agentId?: string): number {
    return this.local.listenerCount(agentId);
  }

  private received(payload: string): void {
    const event = parseEvent(payload);
    if (!event) {
      this.logger.warn({ channel: this.channel }, 'ignored a malformed agent event notification');
      return;
    }
    this.local.publish(event);
  }
}

function parseEvent(payload: string): AgentEvent | null {
  try {
    const value = JSON.parse(payload) as Partial<Record<keyof AgentEvent, unknown>>;
    const { agentId, kind, id, at } = value;
    if (typeof agentId !== 'string' || typeof id !== 'string' || typeof at !== 'string') return null;
    if (!(AGENT_EVENT_KINDS as readonly unknown[]).includes(kind)) return null;
    return { agentId, kind: kind as AgentEvent['kind'], id, at };
  } catch {
    return null;
  }
}
