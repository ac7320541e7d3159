import type { AgentEvents } from '../../ports/agent-events.js';

/**
 * The resource subscriptions of one MCP session: each subscribed URI listens to the events of the agent it
 * belongs to and tells the session `notify(uri)`. Subscribing twice is one subscription; `clear` (when the
 * session closes) stops every listener, so a closed session leaves nothing behind.
 */
export class SessionSubscriptions {
  private readonly byUri = new Map<string, () => void>();

  constructor(private readonly events: AgentEvents, private readonly notify: (uri: string) => void) {}

  get size(): number {
    return this.byUri.size;
  }

  add(uri: string, agentId: string): void {
    if (this.byUri.has(uri)) return;
    this.byUri.set(uri, this.events.subscribe(agentId, () => this.notify(uri)));
  }

  remove(uri: string): void {
    this.byUri.get(uri)?.();
    this.byUri.delete(uri);
  }

  clear(): void {
    for (const stop of this.byUri.values()) stop();
    this.byUri.clear();
  }
}
