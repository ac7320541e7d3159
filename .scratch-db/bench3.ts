import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Migration20261124000000_initial } from '../adapters/mikro-orm/migrations/sqlite/Migration20261124000000_initial.js';
const file = '/tmp/scratch3.sqlite';
for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
const db = new Database(file);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('foreign_keys = ON');
const m = new (Migration20261124000000_initial as unknown as new (a: unknown, b: unknown) => { up(): void; getQueries(): string[] })(null, null);
m.up(); for (const q of m.getQueries()) db.exec(q);
db.prepare("insert into agents values ('a1','a','h',null,'s','active',1,1)").run();
const ins = db.prepare('insert into messages (id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) on conflict (agent_id, channel, provider_message_id) do nothing returning id');
const insD = db.prepare('insert into callback_deliveries (id, agent_id, message_id, url, payload, status, attempts, next_attempt_at, last_error, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?)');
const sp = db.prepare('SAVEPOINT job'), rel = db.prepare('RELEASE job'), begin = db.prepare('BEGIN IMMEDIATE'), commit = db.prepare('COMMIT');
let n = 0;
const payload = JSON.stringify({ type: 'message.received', message: { id: 'x'.repeat(20), body: 'Hi! Your appointment is confirmed for tomorrow at 10:30. Reply STOP to opt out.', from: '+15550000001', to: '+15550000001', more: 'y'.repeat(300) } });
function one(savepoint: boolean, delivery: boolean, randomPmid: boolean) {
  n++;
  const now = Date.now();
  if (savepoint) sp.run();
  const r = ins.all(['m' + n, 'a1', 'sms', 'inbound', '+1555', '+1666', 'Hi! Your appointment is confirmed for tomorrow at 10:30. Reply STOP to opt out.', 'received', 'twilio', randomPmid ? 'SM' + randomBytes(16).toString('hex') : 'SM' + String(n).padStart(10, '0'), null, null, null, null, '{"segments":1}', now, now]);
  if (delivery && r.length) insD.run(['d' + n, 'a1', 'm' + n, 'https://x', payload, 'pending', 0, now, null, now, now]);
  if (savepoint) rel.run();
}
for (const [sp_, d, rp] of [[false, false, false], [true, false, false], [true, true, false], [true, true, true], [false, true, true]] as const) {
  const t0 = performance.now();
  for (let b = 0; b < 100; b++) { begin.run(); for (let i = 0; i < 100; i++) one(sp_, d, rp); commit.run(); }
  console.log(`savepoint=${sp_} delivery=${d} randomPmid=${rp}`, Math.round(10000 / (performance.now() - t0) * 1000));
}
