import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import { rejection } from '../../contracts/domain-error-assertions.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import type { McpSessionRecord } from '../../ports/mcp-sessions.js';
import type { Database } from '../../ports/repositories.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const created = new Date('2026-12-01T13:00:00.123Z');
const session = (id: string, lastSeenAt = created): McpSessionRecord => ({
  id, owner: 'agent:agt_1', protocolVersion: '2025-06-18',
  clientCapabilities: { elicitation: { form: {} }, roots: { listChanged: true } }, clientInfo: { name: 'client', version: '1.2.3' },
  createdAt: created, lastSeenAt,
});

/** The stored MCP sessions (hosts/mcp/streamable-http-host.ts restores them on any instance). */
function mcpSessionStore(open: () => Promise<Database>) {
  let db: Database;
  beforeEach(async () => {
    db = await open();
    await db.migrate();
  });
  afterEach(async () => db?.close());

  it('keeps what initialization established, exactly, and refuses a reused id', async () => {
    await db.mcpSessions.insert(session('s-1'));
    expect(await db.mcpSessions.findById('s-1')).toEqual(session('s-1'));
    expect(await db.mcpSessions.findById('s-2')).toBeNull();
    expect((await rejection(db.mcpSessions.insert({ ...session('s-1'), owner: 'admin' }))).code).toBe('CONFLICT');
    expect((await db.mcpSessions.findById('s-1'))?.owner).toBe('agent:agt_1');
  });

  it('touches last-seen while stored, says when it is gone, and removes once', async () => {
    await db.mcpSessions.insert(session('s-1'));
    const later = new Date(created.getTime() + 90_000);
    expect(await db.mcpSessions.touch('s-1', later)).toBe(true);
    expect((await db.mcpSessions.findById('s-1'))?.lastSeenAt).toEqual(later);
    expect(await db.mcpSessions.remove('s-1')).toBe(true);
    expect(await db.mcpSessions.remove('s-1')).toBe(false);
    expect(await db.mcpSessions.touch('s-1', later)).toBe(false);
  });

  it('sweeps the sessions last seen before the cutoff, and only those', async () => {
    await db.mcpSessions.insert(session('old', new Date(created.getTime() - 60_000)));
    await db.mcpSessions.insert(session('fresh', created));
    expect(await db.mcpSessions.removeIdleBefore(created)).toBe(1);
    expect(await db.mcpSessions.findById('old')).toBeNull();
    expect(await db.mcpSessions.findById('fresh')).not.toBeNull();
  });
}

describe('stored MCP sessions on SQLite', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  mcpSessionStore(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-sessions-'));
    dirs.push(dir);
    return sqlitePlugin.create({ path: join(dir, 'sessions.sqlite') }, databasePluginContext(dir));
  });
});

describe.skipIf(!POSTGRES_URL)('stored MCP sessions on PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  afterAll(async () => schemas?.close());
  mcpSessionStore(async () => {
    schemas ??= await postgresSchemas(POSTGRES_URL!);
    return postgresqlPlugin.create({ url: POSTGRES_URL!, schema: schemas.fresh() }, databasePluginContext(tmpdir()));
  });
});
