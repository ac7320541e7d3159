import type { AgentEvent, AgentEventListener, AgentEvents } from '../../ports/agent-events.js';
import type { Logger } from '../../ports/runtime.js';

/**
 * Agent events within one server process. Listeners run synchronously in publish order; one that throws is
 * logged and does not keep the event from the others (nor the publisher from its work).
 */
export class InProcessAgentEvents implements AgentEvents {
  private readonly byAgent = new Map<string, Set<AgentEventListener>>();

  constructor(private readonly logger?: Logger) {}

  publish(event: AgentEvent): void {
    const listeners = this.byAgent.get(event.agentId);
    if (!listeners) return;
    // A copy: a listener may unsubscribe itself (a wait that has its answer) while we iterate.
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.logger?.warn({ err, kind: event.kind }, 'an agent event listener failed');
      }
    }
  }

  subscribe(agentId: string, listener: AgentEventListener): () => void {
    // Wrapped, so the same function subscribed twice is two subscriptions, each stopped on its own.
    const own: AgentEventListener = (event) => listener(event);
    let listeners = this.byAgent.get(agentId);
    if (!listeners) this.byAgent.set(agentId, (listeners = new Set()));
    listeners.add(own);
    return () => {
      listeners.delete(own);
      if (listeners.size === 0 && this.byAgent.get(agentId) === listeners) this.byAgent.delete(agentId);
    };
  }

  listenerCount(agentId?: string): number {
    if (agentId !== undefined) return this.byAgent.get(agentId)?.size ?? 0;
    let total = 0;
    for (const listeners of this.byAgent.values()) total += listeners.size;
    return total;
  }
}
