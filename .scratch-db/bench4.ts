import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Migration20261124000000_initial } from '../adapters/mikro-orm/migrations/sqlite/Migration20261124000000_initial.js';
const file = '/tmp/scratch3.sqlite';
function setup(fk: boolean, partial: boolean) {
for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
const db = new Database(file);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma(`foreign_keys = ${fk ? 'ON' : 'OFF'}`);
const m = new (Migration20261124000000_initial as unknown as new (a: unknown, b: unknown) => { up(): void; getQueries(): string[] })(null, null);
m.up(); for (const q of m.getQueries()) db.exec(q);
if (partial) { db.exec('drop index messages_agent_id_idempotency_key_unique'); db.exec('drop index messages_agent_id_channel_provider_message_id_unique');
 db.exec('create unique index i1 on messages (agent_id, idempotency_key) where idempotency_key is not null'); db.exec('create unique index i2 on messages (agent_id, channel, provider_message_id) where provider_message_id is not null'); }
db.prepare("insert into agents values ('a1','a','h',null,'s','active',1,1)").run();
return db;
}
let n = 0;
const bigPayload = JSON.stringify({ type: 'message.received', message: { id: 'x'.repeat(20), body: 'Hi! Your appointment is confirmed for tomorrow at 10:30. Reply STOP to opt out.', more: 'y'.repeat(300) } });
for (const [fk, dropIdx, big] of [[true, false, true], [true, true, true], [true, false, true], [true, true, true]] as const) {
  const db = setup(fk, dropIdx);
  const ins = db.prepare('insert into messages (id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) on conflict (agent_id, channel, provider_message_id) where provider_message_id is not null do nothing returning id');
  const insD = db.prepare('insert into callback_deliveries (id, agent_id, message_id, url, payload, status, attempts, next_attempt_at, last_error, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?)');
  const begin = db.prepare('BEGIN IMMEDIATE'), commit = db.prepare('COMMIT');
  const pm = Array.from({ length: 20000 }, () => 'SM' + randomBytes(16).toString('hex'));
  const t0 = performance.now();
  for (let b = 0; b < 200; b++) { begin.run(); for (let i = 0; i < 100; i++) { n++; const now = Date.now();
    const r = ins.all(['m' + n, 'a1', 'sms', 'inbound', '+1555', '+1666', 'Hi! Your appointment is confirmed for tomorrow at 10:30. Reply STOP to opt out.', 'received', 'twilio', pm[b * 100 + i]!, null, null, null, null, '{"segments":1}', now, now]);
    if (r.length) insD.run(['d' + n, 'a1', 'm' + n, 'https://x', big ? bigPayload : '{}', 'pending', 0, now, null, now, now]); } commit.run(); }
  console.log(`fk=${fk} dropPmidIdx=${dropIdx} bigPayload=${big}`, Math.round(20000 / (performance.now() - t0) * 1000));
  db.close();
}
