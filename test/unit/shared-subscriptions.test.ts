import { describe, expect, it } from 'vitest';
import { InProcessAgentEvents } from '../../adapters/node/in-process-agent-events.js';
import { SharedSubscriptions } from '../../hosts/mcp/shared-subscriptions.js';
import type { McpStreamSession } from '../../hosts/mcp/mcp-server.js';
import type { McpSubscriptionChange, McpSubscriptionRecord, McpSubscriptionRepository } from '../../ports/mcp-sessions.js';
import { isDomainError } from '../../ports/errors.js';

/** The stored subscriptions, in memory; `hold()` keeps the next read waiting until released. */
class MemoryStore implements McpSubscriptionRepository {
  readonly rows = new Map<string, Map<string, string>>();
  private held: Array<() => void> | null = null;

  subscribe(sessionId: string, { uri, agentId }: McpSubscriptionRecord): Promise<void> {
    if (!this.rows.has(sessionId)) this.rows.set(sessionId, new Map());
    this.rows.get(sessionId)!.set(uri, agentId);
    return Promise.resolve();
  }

  unsubscribe(sessionId: string, uri: string): Promise<boolean> {
    return Promise.resolve(this.rows.get(sessionId)?.delete(uri) ?? false);
  }

  async subscriptionsOf(sessionId: string): Promise<McpSubscriptionRecord[]> {
    const rows = [...(this.rows.get(sessionId) ?? new Map<string, string>())].map(([uri, agentId]) => ({ uri, agentId }));
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    return rows;
  }

  hold(): () => void {
    this.held = [];
    return () => {
      const waiting = this.held ?? [];
      this.held = null;
      for (const resolve of waiting) resolve();
    };
  }
}

/** What the other servers would hear, and a way to make this one hear theirs. */
class FakeChanges {
  readonly published: McpSubscriptionChange[] = [];
  private listener: ((change: McpSubscriptionChange) => void) | null = null;
  publish(change: McpSubscriptionChange): Promise<void> {
    this.published.push(change);
    return Promise.resolve();
  }
  listen(listener: (change: McpSubscriptionChange) => void): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }
  fromAnotherServer(change: McpSubscriptionChange): void {
    this.listener?.(change);
  }
}

/** A session's transport as the extension sees it: the client's GET stream opens and closes on demand. */
class FakeStream implements McpStreamSession {
  listening = false;
  private handler: (listening: boolean) => Promise<void> = () => Promise.resolve();
  constructor(readonly sessionId: string) {}
  onListeningChange(handler: (listening: boolean) => Promise<void>): void {
    this.handler = handler;
  }
  async open(): Promise<void> {
    this.listening = true;
    await this.handler(true);
  }
  async close(): Promise<void> {
    this.listening = false;
    await this.handler(false);
  }
}

function setUp() {
  const store = new MemoryStore();
  const changes = new FakeChanges();
  const events = new InProcessAgentEvents();
  const shared = new SharedSubscriptions({ store, changes, events });
  const notified: string[] = [];
  const stream = new FakeStream('sess_1');
  const book = shared.forSession(stream, (uri) => notified.push(uri));
  const event = (agentId = 'agt_1') => events.publish({ agentId, kind: 'message.received', id: 'msg_1', at: '2026-12-03T15:00:00.000Z' });
  return { store, changes, events, shared, notified, stream, book, event };
}

describe('resource subscriptions shared by the instances serving a session', () => {
  it('stores and tells a subscribe taken where the stream is not, and listens for nothing here', async () => {
    const { store, changes, events, notified, book, event } = setUp();
    await book.add('comms://inbox', 'agt_1');
    expect([...store.rows.get('sess_1')!]).toEqual([['comms://inbox', 'agt_1']]);
    expect(changes.published).toEqual([{ kind: 'subscribed', sessionId: 'sess_1', uri: 'comms://inbox', agentId: 'agt_1' }]);
    expect(events.listenerCount()).toBe(0);
    event();
    expect(notified).toEqual([]);
  });

  it('reads the stored subscriptions when the stream opens here, and stops listening when it closes', async () => {
    const { store, events, notified, stream, event } = setUp();
    await store.subscribe('sess_1', { uri: 'comms://agents/agt_2/inbox', agentId: 'agt_2' });
    await stream.open();
    event('agt_2');
    expect(notified).toEqual(['comms://agents/agt_2/inbox']);
    await stream.close();
    expect(events.listenerCount()).toBe(0);
    event('agt_2');
    expect(notified).toHaveLength(1);
    // Stored still: the stream opening again (here or elsewhere) reads it again.
    expect(store.rows.get('sess_1')?.size).toBe(1);
  });

  it('applies a subscribe or unsubscribe of another server at once while the stream is here', async () => {
    const { changes, notified, stream, event } = setUp();
    await stream.open();
    changes.fromAnotherServer({ kind: 'subscribed', sessionId: 'sess_1', uri: 'comms://inbox', agentId: 'agt_1' });
    changes.fromAnotherServer({ kind: 'subscribed', sessionId: 'sess_other', uri: 'comms://inbox', agentId: 'agt_1' });
    event();
    expect(notified).toEqual(['comms://inbox']);
    changes.fromAnotherServer({ kind: 'unsubscribed', sessionId: 'sess_1', uri: 'comms://inbox' });
    event();
    expect(notified).toEqual(['comms://inbox']);
  });

  it('keeps a change heard while the stored subscriptions are read, on top of what the read returns', async () => {
    const { store, changes, notified, stream, event } = setUp();
    await store.subscribe('sess_1', { uri: 'comms://threads/ctc_1', agentId: 'agt_1' });
    const release = store.hold();
    const opening = stream.open();
    // Stored after the read began, told before it returned.
    changes.fromAnotherServer({ kind: 'subscribed', sessionId: 'sess_1', uri: 'comms://inbox', agentId: 'agt_1' });
    release();
    await opening;
    event();
    expect(notified.sort()).toEqual(['comms://inbox', 'comms://threads/ctc_1']);
  });

  it('applies its own subscribe here before answering when the stream is here, once per URI', async () => {
    const { events, notified, stream, book, event } = setUp();
    await stream.open();
    await book.add('comms://inbox', 'agt_1');
    await book.add('comms://inbox', 'agt_1');
    expect(events.listenerCount('agt_1')).toBe(1);
    event();
    expect(notified).toEqual(['comms://inbox']);
    await book.remove('comms://inbox');
    expect(events.listenerCount()).toBe(0);
  });

  it('refuses a URI too long to store with INVALID_INPUT, storing and telling nothing', async () => {
    const { store, changes, book } = setUp();
    const error: unknown = await Promise.resolve(book.add(`comms://threads/${'x'.repeat(600)}`, 'agt_1')).catch((err: unknown) => err);
    expect(isDomainError(error) && error.code).toBe('INVALID_INPUT');
    expect(store.rows.size).toBe(0);
    expect(changes.published).toEqual([]);
  });

  it('stops hearing other servers and every listener when closed', async () => {
    const { shared, changes, events, stream, book } = setUp();
    await stream.open();
    await book.add('comms://inbox', 'agt_1');
    shared.close();
    expect(events.listenerCount()).toBe(0);
    changes.fromAnotherServer({ kind: 'subscribed', sessionId: 'sess_1', uri: 'comms://threads/ctc_1', agentId: 'agt_1' });
    expect(events.listenerCount()).toBe(0);
  });
});
