/**
 * SQLite history reads beside the group-committed writes: a read never waits for the write batch, and a
 * long read never holds up the writes (it runs on a read-only connection in a worker thread, WAL mode).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import { SqliteReaders } from '../../adapters/mikro-orm/sqlite-readers.js';
import type { AgentRecord, CallLogRecord, MessageRecord } from '../../ports/records.js';
import type { Database } from '../../ports/repositories.js';

const now = new Date('2026-12-01T10:00:00.000Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

const AGENT: AgentRecord = {
  id: 'agt_reader', name: 'reader', tokenHash: 'hash-reader', callbackUrl: null, callbackSecret: 'whsec', status: 'active',
  voice: {}, createdAt: now, updatedAt: now,
};

function message(id: string, createdAt: Date): MessageRecord {
  return {
    id, agentId: AGENT.id, channel: 'sms', direction: 'outbound', from: '+12025550100', to: '+12025550142', body: 'hi',
    status: 'pending', provider: 'mock', providerMessageId: null, idempotencyKey: null, requestHash: null,
    errorCode: null, errorMessage: null, metadata: {}, createdAt, updatedAt: createdAt,
  };
}

function call(id: string, createdAt: Date): CallLogRecord {
  return {
    id, agentId: AGENT.id, direction: 'outbound', from: '+12025550100', to: '+12025550142', status: 'queued', history: [],
    provider: 'mock', providerCallId: null, audioUrl: null, audioKey: null, startedAt: createdAt, answeredAt: null,
    endedAt: null, durationSeconds: null, priceMicros: null, currency: null, errorCode: null, errorMessage: null,
    metadata: {}, createdAt, updatedAt: createdAt, version: 0,
  };
}

/** A promise and the function that settles it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('sqlite history reads beside the write batch', () => {
  let dir: string;
  let file: string;
  let db: Database;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comms-readers-'));
    file = join(dir, 'readers.sqlite');
    db = await sqlitePlugin.create({ path: file }, databasePluginContext(dir));
    await db.migrate();
    await db.agents.create(AGENT, []);
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a history page while a write transaction is open, with the last committed rows only', async () => {
    await db.messages.insertOutbound(message('msg_committed', later(1)));
    await db.calls.insert(call('cal_committed', later(1)));
    const inTransaction = latch();
    const finish = latch();
    let committed = false;
    // The transaction holds the writer (BEGIN IMMEDIATE … not yet COMMIT) until `finish` opens.
    const transaction = db.transaction(async (tx) => {
      await tx.messages.insertOutbound(message('msg_in_flight', later(2)));
      await tx.calls.insert(call('cal_in_flight', later(2)));
      inTransaction.open();
      await finish.promise;
    }).then(() => (committed = true));
    await inTransaction.promise;

    const messages = await db.messages.list({ agentId: AGENT.id, limit: 10 });
    const calls = await db.calls.list({ agentId: AGENT.id, limit: 10 });
    expect(committed).toBe(false);
    expect(messages.map((m) => m.id)).toEqual(['msg_committed']);
    expect(calls.map((c) => c.id)).toEqual(['cal_committed']);

    finish.open();
    await transaction;
    expect((await db.messages.list({ agentId: AGENT.id, limit: 10 })).map((m) => m.id)).toEqual(['msg_in_flight', 'msg_committed']);
    expect((await db.calls.list({ agentId: AGENT.id, limit: 10 })).map((c) => c.id)).toEqual(['cal_in_flight', 'cal_committed']);
  });

  it('lets writes commit while a long read runs', async () => {
    const readers = new SqliteReaders(file, 1);
    try {
      let readDone = false;
      // Millions of steps: seconds of work for the reader thread.
      const longRead = readers
        .read((session) => session.rows('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) AS c FROM n', []))
        .then((rows) => {
          readDone = true;
          return rows;
        });
      // Let the read start on its thread before the writes are issued.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const writes = Array.from({ length: 200 }, (_, i) => db.messages.insertOutbound(message(`msg_w${i}`, later(i))));
      await Promise.all(writes);
      expect(readDone).toBe(false);
      expect(await db.messages.list({ agentId: AGENT.id, limit: 500 })).toHaveLength(200);
      expect(await longRead).toEqual([{ c: 3_000_000 }]);
    } finally {
      await readers.close();
    }
  }, 60_000);

  it('refuses writes on a reader session and reports SQL errors from the reader thread', async () => {
    const readers = new SqliteReaders(file);
    try {
      await expect(readers.read((session) => session.run('DELETE FROM messages', []))).rejects.toThrow(/read-only/);
      await expect(readers.read((session) => session.rows("DELETE FROM messages WHERE id = 'x' RETURNING id", []))).rejects.toThrow(/readonly|query_only|attempt to write/i);
      await expect(readers.read((session) => session.rows('SELECT * FROM no_such_table', []))).rejects.toThrow(/no such table/);
      expect(await readers.read((session) => session.rows('SELECT 1 AS ok', []))).toEqual([{ ok: 1 }]);
    } finally {
      await readers.close();
    }
  });

  it('keeps history reads in the one connection of an in-memory database', async () => {
    const memory = await sqlitePlugin.create({ path: ':memory:' }, databasePluginContext(dir));
    try {
      await memory.migrate();
      await memory.agents.create(AGENT, []);
      await memory.messages.insertOutbound(message('msg_memory', now));
      expect((await memory.messages.list({ agentId: AGENT.id, limit: 10 })).map((m) => m.id)).toEqual(['msg_memory']);
    } finally {
      await memory.close();
    }
  });
});
