/**
 * Repository throughput on the hot paths, SQLite file in a temp folder (WAL), 100 concurrent callers.
 *   npx tsx test/bench/repository-bench.ts [count]        (COMMS_TEST_POSTGRES_URL set: PostgreSQL too)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import type { MessageRecord } from '../../ports/records.js';
import type { Database } from '../../ports/repositories.js';
import { databasePluginContext } from '../../contracts/database.js';

const COUNT = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = 100;

async function measure(label: string, count: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await op(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(34)} ${String(Math.round(count / seconds)).padStart(7)} ops/s  (${count} in ${seconds.toFixed(2)} s)`);
}

function message(agentId: string, i: number, direction: 'inbound' | 'outbound'): MessageRecord {
  const now = new Date();
  return {
    id: `msg_${direction[0]}${String(i).padStart(8, '0')}`,
    agentId,
    channel: 'sms',
    direction,
    from: direction === 'inbound' ? `+1555${String(i % 10_000).padStart(7, '0')}` : '+15550100001',
    to: direction === 'inbound' ? '+15550100001' : `+1555${String(i % 10_000).padStart(7, '0')}`,
    body: 'Hi! Your appointment is confirmed for tomorrow at 10:30. Reply STOP to opt out.',
    status: direction === 'inbound' ? 'received' : 'pending',
    provider: 'twilio',
    providerMessageId: direction === 'inbound' ? `SM${randomBytes(16).toString('hex')}` : null,
    idempotencyKey: direction === 'outbound' ? `key-${i}` : null,
    requestHash: direction === 'outbound' ? randomBytes(32).toString('hex') : null,
    errorCode: null,
    errorMessage: null,
    metadata: { segments: 1 },
    createdAt: now,
    updatedAt: now,
  };
}

async function bench(name: string, db: Database): Promise<void> {
  console.log(`\n${name}`);
  await db.migrate();
  const now = new Date();
  const agent = {
    id: 'agt_bench', name: 'bench', tokenHash: 'a'.repeat(64), callbackUrl: 'https://agent.example.com/cb',
    callbackSecret: 'whsec_x', status: 'active' as const, voice: {}, createdAt: now, updatedAt: now,
  };
  await db.agents.create(agent, [{ id: 'chn_bench', agentId: agent.id, channel: 'sms', address: '+15550100001', createdAt: now }]);

  await measure('insertInbound (+ delivery)', COUNT, (i) => {
    const m = message(agent.id, i, 'inbound');
    return db.messages.insertInbound(m, {
      id: `dlv_${i}`, agentId: agent.id, messageId: m.id, url: 'https://agent.example/cb',
      payload: JSON.stringify({ type: 'message.received', message: m }), status: 'pending', attempts: 0,
      nextAttemptAt: m.createdAt, lastError: null, createdAt: m.createdAt, updatedAt: m.createdAt,
    });
  });
  await measure('insertInbound redelivery (dedupe)', COUNT / 4, (i) =>
    db.messages.insertInbound({ ...message(agent.id, i, 'inbound'), id: `msg_dup${i}`, providerMessageId: 'SMdup' }, null),
  );
  await measure('insertOutbound (idempotency key)', COUNT, (i) => db.messages.insertOutbound(message(agent.id, i, 'outbound')));
  await measure('changeStatus pending -> sent', COUNT, (i) =>
    db.messages.changeStatus(`msg_o${String(i).padStart(8, '0')}`, { status: 'sent', providerMessageId: `SMo${i}`, updatedAt: new Date() }, ['pending']),
  );
  await measure('agents.findByTokenHash', COUNT, () => db.agents.findByTokenHash(agent.tokenHash));
  await measure('agents.findById', COUNT, () => db.agents.findById(agent.id));
  await measure('agents.findChannel', COUNT, () => db.agents.findChannel(agent.id, 'sms'));
  await measure('messages.list (limit 50)', COUNT / 10, () => db.messages.list({ agentId: agent.id, limit: 50 }));
  await db.close();
}

const dir = await mkdtemp(join(tmpdir(), 'comms-bench-'));
try {
  const ctx = databasePluginContext(dir);
  await bench(`SQLite (${join(dir, 'bench.sqlite')}), ${CONCURRENCY} concurrent callers`, await sqlitePlugin.create({ path: 'bench.sqlite' }, ctx));
  const url = process.env.COMMS_TEST_POSTGRES_URL;
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const db = await postgresqlPlugin.create({ url, schema, poolMax: 10 }, ctx);
    try {
      await bench(`PostgreSQL (schema ${schema}), ${CONCURRENCY} concurrent callers`, db);
    } finally {
      const admin = await MikroORM.init({ clientUrl: url, entities: [], discovery: { warnWhenNoEntities: false }, ensureDatabase: false });
      await admin.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
      await admin.close(true);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
