import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../core/audit/audit-chain.js';
import { appendAudit } from '../../core/audit/record-audit.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import { NodeSecrets } from '../../adapters/node/node-secrets.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';
import { databasePluginContext } from '../../contracts/database.js';
import type { Database } from '../../ports/repositories.js';
import { tempDir } from '../support/plugin-context.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const PER_WRITER = 50;
const ports = { ids: new TimeSortableIds(), clock: new SystemClock(), secrets: new NodeSecrets() };

/** `PER_WRITER` appends at once from each database client, half of them inside a transaction with another write. */
async function appendConcurrently(writers: Database[]): Promise<void> {
  await Promise.all(writers.flatMap((db, w) => Array.from({ length: PER_WRITER }, (_, i) => {
    const facts = { action: 'test.append', targets: { writer: w, i } };
    const actor = { kind: 'system', id: null } as const;
    return i % 2 === 0
      ? appendAudit(ports, db, actor, facts, 'ok', null)
      : db.transaction(async (tx) => {
        await tx.callbacks.backlog();
        await appendAudit(ports, tx, actor, facts, 'ok', null);
      });
  })));
}

describe('audit chain under concurrent appends', () => {
  it('SQLite: 50 parallel appends leave one unbroken chain', async () => {
    const dir = tempDir('agentos-audit-');
    const db = await sqlitePlugin.create({ path: join(dir, 'audit.sqlite') }, databasePluginContext(dir));
    try {
      await db.migrate();
      await appendConcurrently([db]);
      expect(await verifyChain(db.audit, ports.secrets)).toMatchObject({ valid: true, checked: PER_WRITER, head: { seq: PER_WRITER } });
    } finally {
      await db.close();
    }
  });

  describe.skipIf(!POSTGRES_URL)('PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
    let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
    beforeAll(async () => {
      schemas = await postgresSchemas(POSTGRES_URL!);
    });
    afterAll(async () => schemas?.close());

    it('three database clients (as three server processes have) appending 50 each at once keep one unbroken chain', async () => {
      const schema = schemas.fresh();
      const dir = tempDir('agentos-audit-pg-');
      const open = () => postgresqlPlugin.create({ url: POSTGRES_URL!, schema, poolMax: 8 }, databasePluginContext(dir));
      const first = await open();
      await first.migrate();
      const writers = [first, await open(), await open()];
      try {
        await appendConcurrently(writers);
        const report = await verifyChain(first.audit, ports.secrets);
        expect(report).toMatchObject({ valid: true, checked: 3 * PER_WRITER, head: { seq: 3 * PER_WRITER } });
      } finally {
        await Promise.all(writers.map((db) => db.close()));
      }
    }, 60_000);
  });
});
