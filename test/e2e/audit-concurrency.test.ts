import { spawn, type ChildProcess } from 'node:child_process';
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
const WORKER = join(import.meta.dirname, '..', 'support', 'audit-append-worker.ts');
const ports = { ids: new TimeSortableIds(), clock: new SystemClock(), secrets: new NodeSecrets() };

/** `PER_WRITER` appends at once, half of them inside a transaction with another write (as the worker processes do). */
async function appendConcurrently(db: Database): Promise<void> {
  await Promise.all(Array.from({ length: PER_WRITER }, (_, i) => {
    const facts = { action: 'test.append', targets: { i } };
    const actor = { kind: 'system', id: null } as const;
    return i % 2 === 0
      ? appendAudit(ports, db, actor, facts, 'ok', null)
      : db.transaction(async (tx) => {
        await tx.callbacks.backlog();
        await appendAudit(ports, tx, actor, facts, 'ok', null);
      });
  }));
}

describe('audit chain under concurrent appends', () => {
  it('SQLite: 50 parallel appends leave one unbroken chain', async () => {
    const dir = tempDir('agentos-audit-');
    const db = await sqlitePlugin.create({ path: join(dir, 'audit.sqlite') }, databasePluginContext(dir));
    try {
      await db.migrate();
      await appendConcurrently(db);
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

    it('three server processes appending 50 entries each at once keep one unbroken chain', async () => {
      const schema = schemas.fresh();
      const db = await postgresqlPlugin.create({ url: POSTGRES_URL!, schema }, databasePluginContext(tempDir('agentos-audit-pg-')));
      try {
        await db.migrate();
        const env = { ...process.env, AUDIT_PG_URL: POSTGRES_URL, AUDIT_PG_SCHEMA: schema, AUDIT_APPENDS: String(PER_WRITER) };
        const workers = [1, 2, 3].map(() => spawn(process.execPath, ['--import', import.meta.resolve('tsx'), WORKER], { env, stdio: ['pipe', 'pipe', 'inherit'] }));
        const said = (child: ChildProcess, word: string) => new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes(`${word}\n`)) resolve();
          });
          child.once('exit', (code) => reject(new Error(`worker exited with ${code} before "${word}"`)));
        });
        // All connected first, then all at once.
        await Promise.all(workers.map((w) => said(w, 'ready')));
        const done = workers.map((w) => said(w, 'done'));
        for (const w of workers) w.stdin!.write('go\n');
        await Promise.all(done);
        const report = await verifyChain(db.audit, ports.secrets);
        expect(report).toMatchObject({ valid: true, checked: 3 * PER_WRITER, head: { seq: 3 * PER_WRITER } });
      } finally {
        await db.close();
      }
    }, 120_000);
  });
});
