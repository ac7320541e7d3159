import type { AgentEvents } from '../../ports/agent-events.js';
import type { McpSubscriptionRecord } from '../../ports/mcp-sessions.js';

/** What the resources/subscribe and unsubscribe handlers of one session keep their subscriptions in. */
export interface SubscriptionBook {
  add(uri: string, agentId: string): void | Promise<void>;
  remove(uri: string): void | Promise<void>;
  /** The session ended here: stop every listener. */
  clear(): void;
}

/**
 * The resource subscriptions of one MCP session: each subscribed URI listens to the events of the agent it
 * belongs to and tells the session `notify(uri)`. Subscribing twice is one subscription; `clear` (when the
 * session closes) stops every listener, so a closed session leaves nothing behind.
 */
export class SessionSubscriptions implements SubscriptionBook {
  private readonly byUri = new Map<string, { agentId: string; stop: () => void }>();

  constructor(private readonly events: AgentEvents, private readonly notify: (uri: string) => void) {}

  get size(): number {
    return this.byUri.size;
  }

  add(uri: string, agentId: string): void {
    const held = this.byUri.get(uri);
    if (held?.agentId === agentId) return;
    held?.stop();
    this.byUri.set(uri, { agentId, stop: this.events.subscribe(agentId, () => this.notify(uri)) });
  }

  remove(uri: string): void {
    this.byUri.get(uri)?.stop();
    this.byUri.delete(uri);
  }

  /** Exactly `subscriptions` from now on: listeners kept for those already held, started or stopped for the rest. */
  replaceWith(subscriptions: readonly McpSubscriptionRecord[]): void {
    const wanted = new Map(subscriptions.map((s) => [s.uri, s.agentId]));
    for (const uri of [...this.byUri.keys()]) if (!wanted.has(uri)) this.remove(uri);
    for (const [uri, agentId] of wanted) this.add(uri, agentId);
  }

  clear(): void {
    for (const { stop } of this.byUri.values()) stop();
    this.byUri.clear();
  }
}
