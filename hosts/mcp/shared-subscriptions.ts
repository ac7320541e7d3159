import type { AgentEvents } from '../../ports/agent-events.js';
import { DomainError } from '../../ports/errors.js';
import {
  MAX_SUBSCRIBED_URI_LENGTH, type McpSubscriptionChange, type McpSubscriptionChanges, type McpSubscriptionRecord, type McpSubscriptionRepository,
} from '../../ports/mcp-sessions.js';
import type { Logger } from '../../ports/runtime.js';
import type { McpStreamSession } from './mcp-server.js';
import { SessionSubscriptions, type SubscriptionBook } from './subscriptions.js';

export interface SharedSubscriptionPorts {
  store: McpSubscriptionRepository;
  changes: McpSubscriptionChanges;
  events: AgentEvents;
  logger?: Logger;
}

/**
 * Resource subscriptions of sessions that any instance serves (several servers behind a load balancer, no sticky
 * sessions): a session's subscribe, its GET stream and the webhook that changes a resource may each land on a
 * different instance, and the instance holding the stream may die. So a session's subscriptions are stored
 * with the session, and only the instance holding its GET stream listens to agent events for it: each update
 * is sent once, on the stream the client reads.
 * - The stream opening here reads the stored subscriptions, before the client has the stream.
 * - A subscribe or unsubscribe taken here is stored, applied here when the stream is here, and told to the
 *   other servers; that is awaited, so the change is on its way before the client hears "done", and reaches
 *   the stream's instance before the event of any webhook the client's answer may lead to.
 * - The stream closing here (the client left, or reconnected elsewhere) stops the listeners here; the stored
 *   subscriptions stay until the session ends.
 */
export class SharedSubscriptions {
  /** The sessions whose GET stream is open here. */
  private readonly streams = new Map<string, StreamSubscriptions>();
  private readonly stopListening: () => void;

  constructor(readonly ports: SharedSubscriptionPorts) {
    this.stopListening = ports.changes.listen((change) => this.streams.get(change.sessionId)?.heard(change));
  }

  /** The subscriptions of the session `session` is, telling `notify(uri)` while the session's stream is here. */
  forSession(session: McpStreamSession, notify: (uri: string) => void): SubscriptionBook {
    return new StreamSubscriptions(this, session, new SessionSubscriptions(this.ports.events, notify));
  }

  streamHere(sessionId: string, subscriptions: StreamSubscriptions): void {
    this.streams.set(sessionId, subscriptions);
  }

  streamGone(sessionId: string, subscriptions: StreamSubscriptions): void {
    if (this.streams.get(sessionId) === subscriptions) this.streams.delete(sessionId);
  }

  /** The stored subscriptions, or null when they cannot be read (the database is down: keep what is held). */
  async stored(sessionId: string): Promise<McpSubscriptionRecord[] | null> {
    try {
      return await this.ports.store.subscriptionsOf(sessionId);
    } catch (err) {
      this.ports.logger?.warn({ err }, 'reading the stored subscriptions of an MCP session failed');
      return null;
    }
  }

  /** A write that fails leaves the change to this instance and the other servers' memory (logged). */
  async write(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.ports.logger?.warn({ err }, 'storing a subscription change of an MCP session failed');
    }
  }

  close(): void {
    this.stopListening();
    for (const subscriptions of [...this.streams.values()]) subscriptions.clear();
  }
}

/** One session's subscriptions on one instance: listening only while the session's GET stream is here. */
class StreamSubscriptions implements SubscriptionBook {
  /** Bumped when the stream opens or closes here: a read of the stored subscriptions begun before is stale. */
  private generation = 0;
  /** Changes heard while the stored subscriptions are being read, applied on top of what the read returns. */
  private heardMeanwhile: McpSubscriptionChange[] | null = null;

  constructor(private readonly hub: SharedSubscriptions, private readonly session: McpStreamSession, private readonly listeners: SessionSubscriptions) {
    session.onListeningChange(async (listening) => {
      if (listening) await this.streamOpened();
      else this.streamClosed();
    });
  }

  async add(uri: string, agentId: string): Promise<void> {
    if (uri.length > MAX_SUBSCRIBED_URI_LENGTH) {
      throw new DomainError('INVALID_INPUT', `A subscribed resource URI has at most ${MAX_SUBSCRIBED_URI_LENGTH} characters.`, 'Subscribe to a URI from resources/list or resources/templates/list.');
    }
    await this.change({ kind: 'subscribed', sessionId: this.sessionId(), uri, agentId }, (c) => this.hub.ports.store.subscribe(c.sessionId, { uri, agentId }, new Date()));
  }

  async remove(uri: string): Promise<void> {
    await this.change({ kind: 'unsubscribed', sessionId: this.sessionId(), uri }, (c) => this.hub.ports.store.unsubscribe(c.sessionId, uri));
  }

  /** A change of this session, made here or heard from another server. */
  heard(change: McpSubscriptionChange): void {
    if (this.heardMeanwhile) this.heardMeanwhile.push(change);
    else if (this.session.listening) this.apply(change);
  }

  clear(): void {
    this.streamClosed();
  }

  private sessionId(): string {
    // Requests reach a session's handlers only once it is initialized, and so has its id.
    return this.session.sessionId ?? '';
  }

  private async change(change: McpSubscriptionChange, store: (change: McpSubscriptionChange) => Promise<unknown>): Promise<void> {
    await this.hub.write(() => store(change));
    this.heard(change);
    await this.hub.ports.changes.publish(change);
  }

  private apply(change: McpSubscriptionChange): void {
    if (change.kind === 'subscribed') this.listeners.add(change.uri, change.agentId);
    else this.listeners.remove(change.uri);
  }

  private async streamOpened(): Promise<void> {
    const sessionId = this.session.sessionId;
    if (!sessionId) return;
    const generation = ++this.generation;
    const heard: McpSubscriptionChange[] = [];
    this.heardMeanwhile = heard;
    this.hub.streamHere(sessionId, this);
    const stored = await this.hub.stored(sessionId);
    if (generation !== this.generation) return;
    this.heardMeanwhile = null;
    if (stored) this.listeners.replaceWith(stored);
    for (const change of heard) this.apply(change);
  }

  private streamClosed(): void {
    this.generation++;
    this.heardMeanwhile = null;
    this.listeners.clear();
    if (this.session.sessionId) this.hub.streamGone(this.session.sessionId, this);
  }
}
