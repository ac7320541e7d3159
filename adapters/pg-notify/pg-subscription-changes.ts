/**
 * MCP resource subscription changes shared by every server on one PostgreSQL database: a NOTIFY on the schema's
 * `subscriptions` channel, heard by the other processes (the bus skips our own echo: the sender applies its
 * change itself). Payloads are a session id, a resource URI and an agent id: no personal data.
 */
import type { McpSubscriptionChange, McpSubscriptionChanges } from '../../ports/mcp-sessions.js';
import type { Logger } from '../../ports/runtime.js';
import { channelName, type PgNotifyBus } from './pg-notify-bus.js';

type Listener = (change: McpSubscriptionChange) => void;

export class PgSubscriptionChanges implements McpSubscriptionChanges {
  readonly channel: string;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly bus: PgNotifyBus, schema: string | undefined, private readonly logger: Logger) {
    this.channel = channelName('subscriptions', schema);
    bus.on(this.channel, (payload) => this.received(payload));
  }

  publish(change: McpSubscriptionChange): Promise<void> {
    return this.bus.send(this.channel, JSON.stringify(change));
  }

  listen(listener: Listener): () => void {
    // A wrapper per call: the same function listening twice is stopped once per call, as it was started.
    const wrapped: Listener = (change) => listener(change);
    this.listeners.add(wrapped);
    return () => void this.listeners.delete(wrapped);
  }

  private received(payload: string): void {
    const change = parseChange(payload);
    if (!change) {
      this.logger.warn({ channel: this.channel }, 'ignored a malformed subscription change notification');
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.warn({ err }, 'a subscription change listener failed');
      }
    }
  }
}

function parseChange(payload: string): McpSubscriptionChange | null {
  try {
    const { kind, sessionId, uri, agentId } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof sessionId !== 'string' || typeof uri !== 'string') return null;
    if (kind === 'unsubscribed') return { kind, sessionId, uri };
    if (kind === 'subscribed' && typeof agentId === 'string') return { kind, sessionId, uri, agentId };
    return null;
  } catch {
    return null;
  }
}
