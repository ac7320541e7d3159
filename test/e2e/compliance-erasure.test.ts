import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import type { Caller } from '../../core/context.js';
import { isDomainError } from '../../ports/errors.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { tempDir } from '../support/plugin-context.js';
import { POSTGRES_URL, postgresSchemas, testSchemaName } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PERSON = '+15550100201';
const PERSON_EMAIL = 'person@example.com';
const BYSTANDER = '+15550100202';
const ADMIN: Caller = { kind: 'admin' };
const BUCKET = 'comms-erasure';
const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

type S3rverClass = new (o: { address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[] }) => { run(): Promise<AddressInfo>; close(): Promise<void> };
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

/**
 * Every table this project has, and whether the erasure check knows it. A table that another change adds
 * with a column that may hold a contact must be taught to comms_erase_contact and listed here.
 */
const KNOWN_TABLES = new Set([
  'agents', 'agent_channels', 'messages', 'callback_deliveries', 'whatsapp_senders', 'call_logs', 'call_turns', 'usage_records',
  'usage_counters', 'agent_limits', 'usage_alerts', 'opt_outs', 'do_not_contact', 'consents', 'erasure_tombstones', 'agent_compliance',
  'contacts', 'contact_addresses',
  // The server's own numbers and provisioning runs (bought from the provider, shared between agents), never a contact's.
  'phone_numbers', 'provisioning_operations', 'shared_numbers', 'customers',
  'mikro_orm_migrations',
]);
const CONTACT_COLUMN = /(^|_)(from|to|contact|address|addr|phone|number|email|recipient|caller|callee|body|text|payload|metadata|transcript|evidence)(_|$)/;

interface Table { name: string; columns: Array<{ name: string; textual: boolean }> }

/** Reads the schema and rows of the server's database, whichever dialect. */
interface Inspector {
  tables(): Promise<Table[]>;
  /** Rows of `table` where any of `columns` contains `needle` (case-insensitive). */
  count(table: string, columns: string[], needle: string): Promise<number>;
  close(): Promise<void>;
}

function sqliteInspector(file: string): Inspector {
  const db = new Database(file, { readonly: true });
  return {
    async tables() {
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
      return names.map(({ name }) => ({
        name,
        columns: (db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string; type: string }>)
          .map((c) => ({ name: c.name, textual: /char|text|json|clob/i.test(c.type) })),
      }));
    },
    async count(table, columns, needle) {
      const where = columns.map((c) => `lower("${c}") LIKE ?`).join(' OR ');
      return (db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE ${where}`).get(...columns.map(() => `%${needle.toLowerCase()}%`)) as { n: number }).n;
    },
    async close() {
      db.close();
    },
  };
}

async function postgresInspector(url: string, schema: string): Promise<Inspector> {
  const pg = await postgresSchemas(url);
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return {
    async tables() {
      const rows = await pg.query<{ table_name: string; column_name: string; data_type: string }>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = ${quote(schema)} ORDER BY table_name, ordinal_position`,
      );
      const tables = new Map<string, Table>();
      for (const r of rows) {
        const table = tables.get(r.table_name) ?? { name: r.table_name, columns: [] };
        table.columns.push({ name: r.column_name, textual: /char|text|json/i.test(r.data_type) });
        tables.set(r.table_name, table);
      }
      return [...tables.values()];
    },
    async count(table, columns, needle) {
      const where = columns.map((c) => `lower("${c}"::text) LIKE ${quote(`%${needle.toLowerCase()}%`)}`).join(' OR ');
      const [row] = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table}" WHERE ${where}`);
      return Number(row!.n);
    },
    close: () => pg.close(),
  };
}

/** Every row of every table that still holds one of the needles; fails on an unknown table with a contact column. */
async function leftovers(inspector: Inspector, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of await inspector.tables()) {
    const suspicious = table.columns.filter((c) => CONTACT_COLUMN.test(c.name));
    if (!KNOWN_TABLES.has(table.name) && suspicious.length > 0) {
      throw new Error(`unknown table ${table.name} has contact columns (${suspicious.map((c) => c.name).join(', ')}): teach comms_erase_contact and this check about it`);
    }
    const textual = table.columns.filter((c) => c.textual).map((c) => c.name);
    if (textual.length === 0) continue;
    for (const needle of needles) {
      const n = await inspector.count(table.name, textual, needle);
      if (n > 0) found.push(`${table.name}: ${n} row(s) with ${needle}`);
    }
  }
  return found;
}

function localFiles(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [relative(dir, join(d, e.name))]));
  return walk(dir);
}

const databases = [
  { name: 'SQLite', postgres: false },
  ...(POSTGRES_URL ? [{ name: 'PostgreSQL', postgres: true }] : []),
];

describe.each(databases)('erasure and export on $name', ({ postgres }) => {
  describe.each(['local', 's3'] as const)('with %s storage', (storageKind) => {
    const receiver = new CallbackReceiver();
    const s3dir = tempDir('s3rver-');
    const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET }] });
    let s3endpoint = '';
    let server: TestServer;
    let inspector: Inspector;
    let storedFiles: () => Promise<string[]>;
    let a: string;
    let b: string;

    beforeAll(async () => {
      await receiver.start();
      if (storageKind === 's3') s3endpoint = `http://127.0.0.1:${(await s3rver.run()).port}`;
      // Named after the test run, so that the run's global teardown drops it (and its pg-boss schema).
      const schema = postgres ? testSchemaName() : '';
      const storage = storageKind === 's3'
        ? { use: 's3', options: { bucket: BUCKET, endpoint: s3endpoint, region: 'us-east-1', forcePathStyle: true, ...S3_CREDENTIALS } }
        : { use: 'local' };
      server = await startTestServer({
        ...(postgres ? { db: { use: 'postgresql', options: { url: POSTGRES_URL!, schema } } } : {}),
        callbackUrl: receiver.url,
        extra: { email: { use: 'mock' }, whatsapp: { use: 'mock' }, tts: { use: 'mock' }, brain: { use: 'mock' }, storage },
      });
      inspector = postgres ? await postgresInspector(POSTGRES_URL!, schema) : sqliteInspector(join(server.dir, 'comms.sqlite'));
      if (storageKind === 's3') {
        const s3 = new S3Client({ endpoint: s3endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { ...S3_CREDENTIALS } });
        storedFiles = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);
      } else {
        storedFiles = async () => localFiles(join(server.dir, 'storage', 'objects'));
      }
      a = (await server.createAgent({ name: 'A', phone: '+15550100091', email: 'a@example.com', whatsapp: '+15550100092' })).agentId;
      b = (await server.createAgent({ name: 'B', phone: '+15550100093' })).agentId;
    });
    afterAll(async () => {
      await inspector?.close();
      await server?.close();
      await receiver.stop();
      if (storageKind === 's3') await s3rver.close();
    });

    const run = (name: string, caller: Caller, input: Record<string, unknown>) => server.app.runner.run(name, caller, input) as Promise<Record<string, unknown>>;
    const as = (agentId: string): Caller => ({ kind: 'agent', agentId });
    const inboundSms = async (agentId: string, from: string, to: string, body: string, sid: string) => {
      const url = `${server.url}/webhooks/${agentId}/sms`;
      const form = new URLSearchParams({ MessageSid: sid, From: from, To: to, Body: body }).toString();
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': signMockWebhook('demo-secret', url, form) }, body: form });
      expect(answer.status).toBe(200);
    };

    it('exports everything about a person across agents, then erases it all: no row, no file, a hashed tombstone; idempotent; opt-outs still apply', async () => {
      // The person's data, with two agents, on every channel; and a bystander's, which must stay.
      await run('comms_send_message', as(a), { channel: 'sms', to: PERSON, body: 'Your code is 1234' });
      await inboundSms(a, PERSON, '+15550100091', 'Thanks, see you at Example Street 5', 'MOCKER1');
      await inboundSms(a, PERSON, '+15550100091', 'STOP', 'MOCKER2');
      await run('comms_send_message', as(b), { channel: 'sms', to: PERSON, body: 'Hello from B' });
      await run('comms_send_message', as(a), { channel: 'email', to: PERSON_EMAIL, cc: ['colleague@example.com'], subject: 'Invoice', text: 'Attached.' });
      const voice = await run('comms_send_voice_message', as(b), { to: PERSON, text: 'Your parcel arrives today' });
      await server.app.ports.db.turns.append({ id: 'turn_erase_1', callId: String(voice.callId), seq: 1, speaker: 'caller', text: 'Who is this?', interrupted: false, createdAt: new Date() });
      await run('comms_record_consent', as(a), { contact: PERSON, channel: 'sms', scope: 'marketing', source: 'web-form', evidence: 'signed up at the counter' });
      const kept = await run('comms_send_voice_message', as(b), { to: BYSTANDER, text: 'Not for the person' });
      await run('comms_send_message', as(a), { channel: 'sms', to: BYSTANDER, body: 'Bystander message' });
      await receiver.waitFor(2);
      const personFile = `voice/${String(voice.callId)}`;
      expect((await storedFiles()).some((f) => f.includes(personFile))).toBe(true);

      const exported = await run('comms_export_contact', ADMIN, { contact: PERSON });
      const messages = exported.messages as Array<{ id: string; agentId: string; body: string; direction: string }>;
      expect(new Set(messages.map((m) => m.agentId))).toEqual(new Set([a, b]));
      expect(messages.map((m) => m.body)).toEqual(expect.arrayContaining(['Your code is 1234', 'STOP', 'Hello from B']));
      expect(messages.some((m) => m.direction === 'outbound' && /unsubscribed/.test(m.body))).toBe(true);
      expect(exported.calls).toMatchObject([{ callId: voice.callId, transcript: [{ text: 'Who is this?' }] }]);
      expect(exported.files).toMatchObject([{ callId: voice.callId, key: expect.stringContaining(String(voice.callId)), url: expect.stringMatching(/^http/) }]);
      expect(exported.consents).toMatchObject([{ agentId: a, status: 'granted', evidence: 'signed up at the counter' }]);
      expect(exported.optOuts).toMatchObject([{ channel: 'sms', sender: '+15550100091', source: 'keyword' }]);
      expect(exported.erasure).toBeNull();
      const ids = [...messages.map((m) => m.id), String(voice.callId)];
      // Agent A knows the person as one contact with a name: the phone's and the email's threads merged.
      const threads = (await run('comms_list_threads', as(a), {})).threads as Array<{ contactId: string; addresses: Array<{ address: string }> }>;
      const holding = (address: string) => threads.find((t) => t.addresses.some((x) => x.address === address))!.contactId;
      await run('comms_merge_contacts', as(a), { contactId: holding(PERSON), mergeContactId: holding(PERSON_EMAIL) });
      await run('comms_update_contact', as(a), { contactId: holding(PERSON), name: 'Person Nickname' });

      const erased = await run('comms_erase_contact', ADMIN, { contact: PERSON, confirm: PERSON });
      expect(erased).toMatchObject({ erased: true, counts: { messages: messages.length, calls: 1, transcriptTurns: 1, files: 1, consents: 1, contacts: 2 } });
      const byEmail = await run('comms_erase_contact', ADMIN, { contact: PERSON_EMAIL.toUpperCase(), confirm: PERSON_EMAIL.toUpperCase() });
      expect(byEmail).toMatchObject({ erased: true, counts: { messages: 1, contacts: 0 } });
      const left = (await run('comms_list_threads', as(a), {})).threads as Array<{ addresses: Array<{ address: string }> }>;
      expect(left.flatMap((t) => t.addresses.map((x) => x.address))).toEqual(['+15550100202']);

      // Nothing names the person, and nothing refers to what was erased, in any table.
      const needles = [PERSON, PERSON.slice(2), PERSON_EMAIL, 'Person Nickname', 'Example Street 5', 'signed up at the counter', 'Who is this?', ...ids];
      expect(await leftovers(inspector, needles)).toEqual([]);
      const files = await storedFiles();
      expect(files.filter((f) => f.includes(personFile))).toEqual([]);
      expect(files.some((f) => f.includes(String(kept.callId)))).toBe(true);
      const bystander = await run('comms_export_contact', ADMIN, { contact: BYSTANDER });
      expect((bystander.messages as unknown[]).length).toBe(1);
      expect((bystander.calls as unknown[]).length).toBe(1);

      // A repeat changes nothing; what is left is the tombstone and the hashed opt-out, which still binds.
      expect(await run('comms_erase_contact', ADMIN, { contact: PERSON, confirm: PERSON })).toMatchObject({ erased: false, contactHash: erased.contactHash, erasedAt: erased.erasedAt });
      const after = await run('comms_export_contact', ADMIN, { contact: PERSON });
      expect(after).toMatchObject({ messages: [], calls: [], files: [], consents: [], erasure: { erasedAt: erased.erasedAt }, optOuts: [{ channel: 'sms' }] });
      const refused = await run('comms_send_message', as(a), { channel: 'sms', to: PERSON, body: 'again?' }).catch((e: unknown) => e);
      expect(isDomainError(refused) && refused.code).toBe('OPTED_OUT');
    });

    it('is admin-only', async () => {
      const refused = await run('comms_erase_contact', as(a), { contact: PERSON }).catch((e: unknown) => e);
      expect(isDomainError(refused) && refused.code).toBe('FORBIDDEN');
    });
  });
});
