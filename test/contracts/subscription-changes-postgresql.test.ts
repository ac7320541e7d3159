import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgNotifyBus } from '../../adapters/pg-notify/pg-notify-bus.js';
import { PgSubscriptionChanges } from '../../adapters/pg-notify/pg-subscription-changes.js';
import type { McpSubscriptionChange } from '../../ports/mcp-sessions.js';
import { eventually } from '../support/callback-receiver.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';
import { recordingLogger } from '../support/test-server.js';

const subscribed = (sessionId: string): McpSubscriptionChange => ({ kind: 'subscribed', sessionId, uri: 'comms://inbox', agentId: 'agt_1' });

/**
 * MCP subscription changes between servers through PostgreSQL LISTEN/NOTIFY: the other servers hear a change,
 * the sender does not (it applies its own), and `publish` resolves only once PostgreSQL has the NOTIFY, so
 * anything notified after it (the event of a webhook the client sends next) reaches every listener after it.
 */
describe.skipIf(!POSTGRES_URL)('MCP subscription changes over PostgreSQL LISTEN/NOTIFY', { timeout: 30_000 }, () => {
  const opened: PgNotifyBus[] = [];
  let admin: pg.Client;
  const appName = `comms-subs-test-${randomBytes(4).toString('hex')}`;

  async function instance(schema: string, logger = recordingLogger()) {
    const bus = new PgNotifyBus({ url: POSTGRES_URL!, applicationName: appName, reconnectMs: 50, maxReconnectMs: 200 }, logger);
    const changes = new PgSubscriptionChanges(bus, schema, logger);
    opened.push(bus);
    await bus.start();
    const heard: McpSubscriptionChange[] = [];
    const stop = changes.listen((change) => heard.push(change));
    return { changes, heard, stop, logger };
  }

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

  it('tells the other servers of the schema, once, and not the sender', async () => {
    const schema = testSchemaName();
    const a = await instance(schema);
    const b = await instance(schema);
    const stranger = await instance(testSchemaName());
    const removed: McpSubscriptionChange = { kind: 'unsubscribed', sessionId: 's1', uri: 'comms://threads/ctc_1' };
    await a.changes.publish(subscribed('s1'));
    await a.changes.publish(removed);
    // A marker from B: once A hears it, A's own echoes (sent earlier) have come and gone.
    await b.changes.publish(subscribed('marker'));
    await eventually(() => (a.heard.length > 0 ? true : undefined));
    await eventually(() => (b.heard.length > 1 ? true : undefined));
    expect(a.heard).toEqual([subscribed('marker')]);
    expect(b.heard).toEqual([subscribed('s1'), removed]);
    expect(stranger.heard).toEqual([]);
  });

  it('resolves publish once PostgreSQL has the NOTIFY: what is notified after it is heard after it', async () => {
    const schema = testSchemaName();
    const a = await instance(schema);
    const b = await instance(schema);
    await a.changes.publish(subscribed('first'));
    // Another connection's NOTIFY right after publish resolved (as another server's agent event would be).
    await admin.query('SELECT pg_notify($1, $2)', [a.changes.channel, `elsewhere|${JSON.stringify(subscribed('second'))}`]);
    await eventually(() => (b.heard.length > 1 ? true : undefined));
    expect(b.heard.map((c) => c.sessionId)).toEqual(['first', 'second']);
  });

  it('ignores malformed payloads with a warning, and stops a listener that stopped', async () => {
    const schema = testSchemaName();
    const a = await instance(schema);
    const b = await instance(schema);
    for (const payload of ['not json', '{"kind":"subscribed","sessionId":"s1","uri":"comms://inbox"}', '{"kind":"other","sessionId":"s1","uri":"u"}']) {
      await admin.query('SELECT pg_notify($1, $2)', [a.changes.channel, `elsewhere|${payload}`]);
    }
    a.stop();
    await b.changes.publish(subscribed('after'));
    await eventually(() => (b.logger.lines.filter((l) => l.level === 'warn').length === 3 ? true : undefined));
    expect(b.heard).toEqual([]);
    // A stopped listening: B's change is still delivered to A's bus, which has no listener left.
    await a.changes.publish(subscribed('to b'));
    await eventually(() => (b.heard.length > 0 ? true : undefined));
    expect(a.heard).toEqual([]);
    expect(b.heard).toEqual([subscribed('to b')]);
  });
});
