import { MikroORM } from '@mikro-orm/better-sqlite';
import { rmSync } from 'node:fs';
import { ENTITIES, MessageEntity, AgentEntity, CallbackDeliveryEntity } from '../adapters/mikro-orm/entities.js';

const file = '/tmp/scratch-bench.sqlite';
rmSync(file, { force: true }); rmSync(file + '-wal', { force: true }); rmSync(file + '-shm', { force: true });
const orm = await MikroORM.init({ dbName: file, entities: ENTITIES, discovery: { disableDynamicFileAccess: true },
  pool: { afterCreate: (conn: { pragma(s: string): unknown }, done: (e: Error | null, c: unknown) => void) => {
    conn.pragma('journal_mode = WAL'); conn.pragma('synchronous = NORMAL'); conn.pragma('busy_timeout = 5000'); conn.pragma('foreign_keys = ON'); done(null, conn); } } });
await orm.schema.createSchema();
const now = new Date();
await orm.em.fork().insert(AgentEntity, { id: 'a1', name: 'a', tokenHash: 'h', callbackUrl: null, callbackSecret: 's', status: 'active', createdAt: now, updatedAt: now });
let n = 0;
function msg() {
  n++;
  return { id: 'm' + n, agentId: 'a1', channel: 'sms' as const, direction: 'inbound' as const, fromAddr: '+1555' + n, toAddr: '+1666', body: 'hello world', status: 'received' as const, provider: 'twilio', providerMessageId: 'SM' + n, idempotencyKey: null, requestHash: null, errorCode: null, errorMessage: null, metadata: { a: 1 }, createdAt: new Date(), updatedAt: new Date() };
}
async function run(name: string, total: number, conc: number, op: () => Promise<unknown>) {
  const t0 = performance.now(); let i = 0;
  await Promise.all(Array.from({ length: conc }, async () => { while (i < total) { i++; await op(); } }));
  const dt = performance.now() - t0;
  console.log(name, Math.round(total / dt * 1000), 'ops/s');
}
await run('em.insert seq', 5000, 1, () => orm.em.fork().insert(MessageEntity, msg()));
await run('em.insert c100', 5000, 100, () => orm.em.fork().insert(MessageEntity, msg()));
const knex = orm.em.getKnex();
const sql = 'insert into messages (id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) on conflict (agent_id, channel, provider_message_id) do nothing returning id';
const params = (m: ReturnType<typeof msg>) => [m.id, m.agentId, m.channel, m.direction, m.fromAddr, m.toAddr, m.body, m.status, m.provider, m.providerMessageId, null, null, null, null, JSON.stringify(m.metadata), m.createdAt.getTime(), m.updatedAt.getTime()];
await run('knex.raw seq', 5000, 1, () => knex.raw(sql, params(msg())));
await run('knex.raw c100', 5000, 100, () => knex.raw(sql, params(msg())));
const dsql = 'insert into callback_deliveries (id, agent_id, message_id, url, payload, status, attempts, next_attempt_at, last_error, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?)';
await run('knex trx 2 inserts c100', 5000, 100, () => knex.transaction(async (trx) => {
  const m = msg(); await trx.raw(sql, params(m)); await trx.raw(dsql, ['d' + m.id, 'a1', m.id, 'http://x', '{"a":1}', 'pending', 0, Date.now(), null, Date.now(), Date.now()]);
}));
await run('em.transactional 2 em.insert c100', 3000, 100, () => orm.em.fork().transactional(async (em) => {
  const m = msg(); await em.insert(MessageEntity, m); await em.insert(CallbackDeliveryEntity, { id: 'd' + m.id, agentId: 'a1', messageId: m.id, url: 'http://x', payload: '{}', status: 'pending', attempts: 0, nextAttemptAt: new Date(), lastError: null, createdAt: new Date(), updatedAt: new Date() });
}));
// raw driver
const conn = await (knex.client as { acquireConnection(): Promise<import('better-sqlite3').Database> }).acquireConnection();
const ins = conn.prepare(sql); const insD = conn.prepare(dsql);
const tx = conn.transaction((m: ReturnType<typeof msg>) => { const r = ins.all(params(m)); if (r.length) insD.run(['d' + m.id, 'a1', m.id, 'http://x', '{"a":1}', 'pending', 0, Date.now(), null, Date.now(), Date.now()]); });
await run('raw sync trx per op', 20000, 100, async () => { tx(msg()); });
const many = conn.transaction((ms: ReturnType<typeof msg>[]) => { for (const m of ms) { const r = ins.all(params(m)); if (r.length) insD.run(['d' + m.id, 'a1', m.id, 'http://x', '{"a":1}', 'pending', 0, Date.now(), null, Date.now(), Date.now()]); } });
const t0 = performance.now(); for (let b = 0; b < 200; b++) many(Array.from({ length: 100 }, msg)); console.log('raw batched 100', Math.round(20000 / (performance.now() - t0) * 1000));
await orm.close();
