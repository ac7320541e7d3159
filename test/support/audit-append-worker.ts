/**
 * One "server process" of the audit concurrency test: connects to PostgreSQL (AUDIT_PG_URL, AUDIT_PG_SCHEMA),
 * prints `ready`, waits for a line on stdin, then makes AUDIT_APPENDS audit appends at once (half inside
 * a transaction) and prints `done`.
 */
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { NodeSecrets } from '../../adapters/node/node-secrets.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';
import { databasePluginContext } from '../../contracts/database.js';
import { appendAudit } from '../../core/audit/record-audit.js';

const ports = { ids: new TimeSortableIds(), clock: new SystemClock(), secrets: new NodeSecrets() };
const db = await postgresqlPlugin.create({ url: process.env.AUDIT_PG_URL!, schema: process.env.AUDIT_PG_SCHEMA!, poolMax: 8 }, databasePluginContext(tmpdir()));
await db.ping();
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const actor = { kind: 'system', id: null } as const;
await Promise.all(Array.from({ length: Number(process.env.AUDIT_APPENDS) }, (_, i) => {
  const facts = { action: 'test.append', targets: { pid: process.pid, i } };
  return i % 2 === 0
    ? appendAudit(ports, db, actor, facts, 'ok', null)
    : db.transaction(async (tx) => {
      await tx.callbacks.backlog();
      await appendAudit(ports, tx, actor, facts, 'ok', null);
    });
}));
await db.close();
process.stdout.write('done\n');
