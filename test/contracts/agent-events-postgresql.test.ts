import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgAgentEvents } from '../../adapters/pg-notify/pg-agent-events.js';
import { channelName, PgNotifyBus } from '../../adapters/pg-notify/pg-notify-bus.js';
import type { AgentEvent } from '../../ports/agent-events.js';
import { eventually } from '../support/callback-receiver.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';
import { recordingLogger } from '../support/test-server.js';

const event = (agentId: string, id: string): AgentEvent => ({ agentId, kind: 'message.received', id, at: '2026-12-01T00:00:00.000Z' });

/**
 * Agent events across processes through PostgreSQL LISTEN/NOTIFY: each instance here has its own connection,
 * as each server process does. Ordering is what makes "exactly once" checkable: notifications reach a
 * listener in the order they were sent, so once a later marker arrives, an earlier echo would have too.
 */
describe.skipIf(!POSTGRES_URL)('agent events over PostgreSQL LISTEN/NOTIFY', { timeout: 30_000 }, () => {
  const opened: PgNotifyBus[] = [];
  let admin: pg.Client;
  const appName = `comms-notify-test-${randomBytes(4).toString('hex')}`;

  async function instance(schema: string, logger = recordingLogger()): Promise<{ bus: PgNotifyBus; events: PgAgentEvents; heard: string[] }> {
    const bus = new PgNotifyBus({ url: POSTGRES_URL!, applicationName: appName, reconnectMs: 50, maxReconnectMs: 200 }, logger);
    const events = new PgAgentEvents(bus, schema, logger);
    opened.push(bus);
    await bus.start();
    const heard: string[] = [];
    return { bus, events, heard };
  }
  const connections = async (): Promise<number> =>
    Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [appName])).rows[0]!.n);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.stop()));
  });
  afterAll(async () => {
    await admin.end();
  });

  it('delivers a publish on one instance once to the listeners of every instance, its own included', async () => {
    const schema = testSchemaName();
    const a = await instance(schema);
    const b = await instance(schema);
    a.events.subscribe('agt_1', (e) => a.heard.push(e.id));
    b.events.subscribe('agt_1', (e) => b.heard.push(e.id));
    b.events.subscribe('agt_2', (e) => b.heard.push(`other:${e.id}`));

    a.events.publish(event('agt_1', 'msg_a'));
    // The publisher's own listeners hear it at once, as in one process.
    expect(a.heard).toEqual(['msg_a']);
    await eventually(() => (b.heard.length > 0 ? true : undefined));
    // A marker sent by B after it heard A's event: when A has it, A's own echo (sent earlier) has come and gone.
    b.events.publish(event('agt_1', 'msg_b'));
    await eventually(() => (a.heard.length > 1 ? true : undefined));
    await eventually(() => (b.heard.length > 1 ? true : undefined));
    expect(a.heard).toEqual(['msg_a', 'msg_b']);
    expect(b.heard).toEqual(['msg_a', 'msg_b']);
  });

  it('keeps schemas apart: servers of another schema hear nothing', async () => {
    const schema = testSchemaName();
    const a = await instance(schema);
    const b = await instance(schema);
    const stranger = await instance(testSchemaName());
    expect(a.events.channel).not.toBe(stranger.events.channel);
    stranger.events.subscribe('agt_1', (e) => stranger.heard.push(e.id));
    b.events.subscribe('agt_1', (e) => b.heard.push(e.id));
    a.events.publish(event('agt_1', 'msg_1'));
    await eventually(() => (b.heard.length > 0 ? true : undefined));
    // The stranger's own marker reaching it shows its connection was live the whole time.
    stranger.events.publish(event('agt_1', 'msg_marker'));
    expect(stranger.heard).toEqual(['msg_marker']);
    await new Promise((r) => setTimeout(r, 100));
    expect(stranger.heard).toEqual(['msg_marker']);
    expect(b.heard).toEqual(['msg_1']);
  });

  it('listens again after its connection is killed, and stop() closes it', async () => {
    const schema = testSchemaName();
    const logger = recordingLogger();
    const a = await instance(schema);
    const b = await instance(schema, logger);
    b.events.subscribe('agt_1', (e) => b.heard.push(e.id));
    expect(await connections()).toBe(2);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName]);
    await eventually(() => (a.bus.listening && b.bus.listening ? true : undefined));
    // Events published while B was away are not replayed (a listener re-reads the database); later ones arrive.
    await eventually(() => {
      a.events.publish(event('agt_1', 'msg_after'));
      return b.heard.length > 0 ? true : undefined;
    });
    expect(new Set(b.heard)).toEqual(new Set(['msg_after']));
    expect(logger.lines).toContainEqual({ level: 'warn', msg: 'cross-process notifications: connection lost, reconnecting' });
    expect(logger.lines).toContainEqual({ level: 'info', msg: 'cross-process notifications: listening again' });

    await b.bus.stop();
    expect(b.bus.listening).toBe(false);
    await eventually(async () => ((await connections()) === 1 ? true : undefined));
    const before = b.heard.length;
    a.events.publish(event('agt_1', 'msg_gone'));
    await new Promise((r) => setTimeout(r, 100));
    expect(b.heard.length).toBe(before);
  });

  it('sends a burst of publishes one statement at a time on its one connection, in order', async () => {
    // node-postgres queues a query issued while another runs on the same client, and warns that pg@9 will
    // refuse it ("client.query() when the client is already executing a query"): concurrent sends (each
    // publishing an event) did exactly that. Count the statements in flight on each client.
    const inFlight = new Map<object, number>();
    let most = 0;
    const original = pg.Client.prototype.query;
    const counting = function (this: pg.Client, ...args: unknown[]): unknown {
      const now = (inFlight.get(this) ?? 0) + 1;
      inFlight.set(this, now);
      most = Math.max(most, now);
      const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
      else done();
      return result;
    };
    const schema = testSchemaName();
    const a = await instance(schema);
    const b = await instance(schema);
    b.events.subscribe('agt_1', (e) => b.heard.push(e.id));
    const ids = Array.from({ length: 40 }, (_, i) => `msg_${i}`);
    pg.Client.prototype.query = counting as typeof original;
    try {
      for (const id of ids) a.events.publish(event('agt_1', id));
      await eventually(() => (b.heard.length === ids.length ? true : undefined));
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(b.heard).toEqual(ids);
    expect(most).toBe(1);
  });

  it('ignores a malformed notification on its channel', async () => {
    const schema = testSchemaName();
    const logger = recordingLogger();
    const a = await instance(schema, logger);
    a.events.subscribe('agt_1', (e) => a.heard.push(e.id));
    await admin.query('SELECT pg_notify($1, $2)', [channelName('events', schema), 'someone-else|{"agentId":"agt_1","kind":"nope"}']);
    await eventually(() => (logger.lines.some((l) => l.msg === 'ignored a malformed agent event notification') ? true : undefined));
    expect(a.heard).toEqual([]);
  });

  it('names channels within PostgreSQL\'s 63 bytes, distinct per schema', () => {
    const long = 'x'.repeat(63);
    expect(channelName('events', long).length).toBeLessThanOrEqual(63);
    expect(channelName('events', long)).not.toBe(channelName('events', `${long.slice(1)}y`));
    expect(channelName('events', undefined)).toBe('comms_events_public');
  });
});
