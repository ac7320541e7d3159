import type { AgentEventKind } from '../ports/agent-events.js';
import type { CorePorts } from './context.js';

/** Tells the agent's waiting sessions about a change already stored (see ports/agent-events.ts). */
export function announce(ports: CorePorts, agentId: string, kind: AgentEventKind, id: string): void {
  ports.agentEvents.publish({ agentId, kind, id, at: ports.clock.now().toISOString() });
}
