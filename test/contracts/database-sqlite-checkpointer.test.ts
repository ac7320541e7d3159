/**
 * WAL checkpoints in a worker thread (sqlite-checkpointer.ts): after writes, their pages reach the database file
 * without the writer copying them, writes made meanwhile get a checkpoint of their own, and the database as the
 * plugin opens it is checkpointed this way.
 */
import { copyFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import { SqliteCheckpointer } from '../../adapters/mikro-orm/sqlite-checkpointer.js';
import sqlitePlugin, { CHECKPOINT_THREAD_AFTER_BATCHES } from '../../adapters/mikro-orm/sqlite-plugin.js';
import type { AgentRecord } from '../../ports/records.js';

/** Rows of `table` in the database file alone, as a copy without its WAL sees it: what checkpoints copied there. */
function rowsInDatabaseFile(dir: string, file: string, table: string): number {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.sqlite`);
  copyFileSync(file, copy);
  const db = new BetterSqlite3(copy, { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('sqlite WAL checkpoints in a worker thread', () => {
  let dir: string;
  let file: string;
  let writer: BetterSqlite3.Database;
  let checkpointer: SqliteCheckpointer;
  const errors: Error[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'comms-checkpoints-'));
    file = join(dir, 'wal.sqlite');
    writer = new BetterSqlite3(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = NORMAL');
    // The writer never checkpoints here: whatever reaches the database file, the thread copied.
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table notes (id integer primary key, body text not null)');
    // The table itself in the database file, so that a copy of the file alone shows what later checkpoints copy.
    writer.pragma('wal_checkpoint(TRUNCATE)');
    checkpointer = new SqliteCheckpointer(file, 10, (error) => errors.push(error));
    errors.length = 0;
  });

  afterEach(async () => {
    await checkpointer.close();
    writer.close();
    await rm(dir, { recursive: true, force: true });
  });

  const write = (count: number) => writer.transaction(() => {
    const insert = writer.prepare('insert into notes (body) values (?)');
    for (let i = 0; i < count; i++) insert.run(`note ${i} ${'x'.repeat(200)}`);
  })();

  it('copies the committed pages into the database file after a write, off the writer', async () => {
    write(300);
    expect(rowsInDatabaseFile(dir, file, 'notes')).toBe(0);
    const done = checkpointer.next();
    checkpointer.written(writer);
    const result = await done;
    expect(result?.log).toBeGreaterThan(0);
    expect(result?.checkpointed).toBe(result?.log);
    expect(rowsInDatabaseFile(dir, file, 'notes')).toBe(300);
    expect(errors).toEqual([]);
  });

  it('gives writes committed while a checkpoint is under way a checkpoint of their own', async () => {
    write(100);
    const first = checkpointer.next();
    checkpointer.written(writer);
    // Past the 10 ms delay: the checkpoint is asked of the thread (still starting, or copying).
    await new Promise((resolve) => setTimeout(resolve, 50));
    write(100);
    checkpointer.written(writer);
    await first;
    const second = await checkpointer.next();
    expect(second?.checkpointed).toBe(second?.log);
    expect(rowsInDatabaseFile(dir, file, 'notes')).toBe(200);
  });

  it('starts its thread only after the given number of batches, and then raises the writer\'s own checkpoint mark', async () => {
    await checkpointer.close();
    writer.pragma('wal_autocheckpoint = 1000');
    checkpointer = new SqliteCheckpointer(file, 10, (error) => errors.push(error), 3, 4000);
    write(10);
    checkpointer.written(writer);
    checkpointer.written(writer);
    expect(checkpointer.started).toBe(false);
    expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const done = checkpointer.next();
    checkpointer.written(writer);
    expect(checkpointer.started).toBe(true);
    expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    expect((await done)?.checkpointed).toBeGreaterThan(0);
    expect(rowsInDatabaseFile(dir, file, 'notes')).toBe(10);
  });

  it('asks for nothing once closed, and closes before its first checkpoint too', async () => {
    await checkpointer.close();
    write(50);
    checkpointer.written(writer);
    expect(await checkpointer.next()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rowsInDatabaseFile(dir, file, 'notes')).toBe(0);
  });
});

describe('the sqlite database plugin checkpoints in its thread', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');
  const AGENT: AgentRecord = {
    id: 'agt_checkpoint', name: 'checkpoint', tokenHash: 'hash-checkpoint', callbackUrl: null, callbackSecret: 'whsec', status: 'active',
    voice: {}, createdAt: now, updatedAt: now,
  };

  it('has the writes in the database file soon after they are committed, and stops the thread on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'comms-checkpoints-plugin-'));
    const file = join(dir, 'plugin.sqlite');
    const db = await sqlitePlugin.create({ path: file }, databasePluginContext(dir));
    try {
      await db.migrate();
      await db.agents.create(AGENT, []);
      // One batch each: the thread starts once the writer has committed CHECKPOINT_THREAD_AFTER_BATCHES of them.
      for (let i = 0; i < CHECKPOINT_THREAD_AFTER_BATCHES; i++) await db.usage.markAlert(AGENT.id, `p${i}`, 80, now);
      await expect.poll(() => rowsInDatabaseFile(dir, file, 'usage_alerts'), { timeout: 5000 }).toBe(CHECKPOINT_THREAD_AFTER_BATCHES);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
