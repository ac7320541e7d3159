import { MikroORM } from '@mikro-orm/better-sqlite';
import { rmSync } from 'node:fs';
import { ENTITIES, MessageEntity, AgentEntity } from '../adapters/mikro-orm/entities.js';

const file = '/tmp/scratch-bench.sqlite';
rmSync(file, { force: true }); rmSync(file + '-wal', { force: true }); rmSync(file + '-shm', { force: true });
const orm = await MikroORM.init({ dbName: file, entities: ENTITIES, discovery: { disableDynamicFileAccess: true },
  pool: { afterCreate: (conn: { pragma(s: string): unknown }, done: (e: Error | null, c: unknown) => void) => {
    conn.pragma('journal_mode = WAL'); conn.pragma('synchronous = NORMAL'); conn.pragma('busy_timeout = 5000'); conn.pragma('foreign_keys = ON'); done(null, conn); } } });
await orm.schema.createSchema();
console.log(await orm.em.getKnex().raw('pragma journal_mode'), await orm.em.getKnex().raw('pragma synchronous'));
const now = new Date();
await orm.em.fork().insert(AgentEntity, { id: 'a1', name: 'a', tokenHash: 'h', callbackUrl: null, callbackSecret: 's', status: 'active', createdAt: now, updatedAt: now });
let n = 0;
function msg() {
  n++;
  return { id: 'm' + n, agentId: 'a1', channel: 'sms' as const, direction: 'inbound' as const, fromAddr: '+1555' + n, toAddr: '+1666', body: 'hello world', status: 'received' as const, provider: 'twilio', providerMessageId: 'SM' + n, idempotencyKey: null, requestHash: null, errorCode: null, errorMessage: null, metadata: { a: 1 }, createdAt: new Date(), updatedAt: new Date() };
}
const knex = orm.em.getKnex();
const sql = 'insert into messages (id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) on conflict (agent_id, channel, provider_message_id) do nothing returning id';
const params = (m: ReturnType<typeof msg>) => [m.id, m.agentId, m.channel, m.direction, m.fromAddr, m.toAddr, m.body, m.status, m.provider, m.providerMessageId, null, null, null, null, JSON.stringify(m.metadata), m.createdAt.getTime(), m.updatedAt.getTime()];
let t0 = performance.now();
await knex.transaction(async (trx) => { for (let i = 0; i < 10000; i++) await trx.raw(sql, params(msg())); });
console.log('knex raw in one trx', Math.round(10000 / (performance.now() - t0) * 1000));
t0 = performance.now();
await orm.em.fork().transactional(async (em) => { for (let i = 0; i < 5000; i++) await em.insert(MessageEntity, msg()); });
console.log('em.insert in one trx', Math.round(5000 / (performance.now() - t0) * 1000));
t0 = performance.now();
await orm.em.fork().transactional(async (em) => { const c = em.getConnection(); const ctx = em.getTransactionContext(); for (let i = 0; i < 10000; i++) await c.execute(sql, params(msg()), 'all', ctx); });
console.log('conn.execute in one trx', Math.round(10000 / (performance.now() - t0) * 1000));
t0 = performance.now();
for (let i = 0; i < 10000; i++) await orm.em.fork().getConnection().execute('select * from agents where token_hash = ?', ['h'], 'get');
console.log('conn.execute select', Math.round(10000 / (performance.now() - t0) * 1000));
t0 = performance.now();
for (let i = 0; i < 10000; i++) await knex.raw('select * from agents where token_hash = ?', ['h']);
console.log('knex select', Math.round(10000 / (performance.now() - t0) * 1000));
t0 = performance.now();
for (let i = 0; i < 5000; i++) await orm.em.fork().findOne(AgentEntity, { tokenHash: 'h' });
console.log('em.findOne', Math.round(5000 / (performance.now() - t0) * 1000));
t0 = performance.now();
for (let i = 0; i < 5000; i++) await orm.em.fork().createQueryBuilder(AgentEntity).select('*').where({ tokenHash: 'h' }).execute('get');
console.log('qb get', Math.round(5000 / (performance.now() - t0) * 1000));
await orm.close();
