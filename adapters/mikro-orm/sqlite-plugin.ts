/**
 * `db: { use: sqlite, options: { path } }` — the embedded default. `path` defaults to
 * `agentos-comms.sqlite` in the data folder; a relative path resolves against the configuration file's
 * folder; `:memory:` keeps everything in memory (tests, demos).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/better-sqlite';
import { definePlugin, PLUGIN_API_VERSION, type PluginContext } from '../../ports/plugin.js';
import type { Database } from '../../ports/repositories.js';
import { MikroOrmDatabase } from './mikro-orm-database.js';
import { applyPendingMigrations } from './migrations/pending-migrations.js';
import { sharedOrmOptions } from './orm-options.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { SqliteReaders } from './sqlite-readers.js';
import { SqliteGroupCommit, type SqliteConnection, type SqliteConnectionPool } from './sqlite-group-commit.js';

export interface SqliteOptions {
  path?: string;
}

export const DEFAULT_SQLITE_FILE = 'agentos-comms.sqlite';

/**
 * Write batches after which WAL checkpoints move to a thread of their own (sqlite-checkpointer.ts): a server under load
 * passes this in seconds; an idle one, or a CLI command, never starts the thread and keeps its memory.
 */
export const CHECKPOINT_THREAD_AFTER_BATCHES = 200;

export function sqliteFilePath(options: SqliteOptions, ctx: Pick<PluginContext, 'configDir' | 'dataDir'>): string {
  if (options.path === undefined) return join(ctx.dataDir, DEFAULT_SQLITE_FILE);
  if (options.path === ':memory:' || isAbsolute(options.path)) return options.path;
  return resolve(ctx.configDir, options.path);
}

/** Per-connection settings of the writer (PRAGMAs are not persistent, except journal_mode). */
export function configureSqliteConnection(
  connection: { pragma(source: string): unknown },
  done: (error: Error | null, connection: unknown) => void,
): void {
  try {
    connection.pragma('journal_mode = WAL');
    // With WAL, NORMAL is durable across application crashes; only an OS crash may lose the last commits.
    connection.pragma('synchronous = NORMAL');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('foreign_keys = ON');
    // Statement journals in memory: every insert into messages fires the contact trigger, so SQLite keeps a
    // statement journal of the pages it changes; past 64 KiB (one insert with the eight indexes it enters and
    // the contact rows, in a batch of others) that journal spills to a temporary file, opened, written page by
    // page and deleted in each transaction. In memory the same insert costs about 40 % less CPU (measured: ~100 to ~60 µs
    // per send with its status updates). Temporary tables and sorts are in memory too: the queries here sort
    // through indexes, and migrations, which may sort a whole table to index it, run with files (withTemporaryFiles).
    connection.pragma('temp_store = MEMORY');
    done(null, connection);
  } catch (error) {
    done(error instanceof Error ? error : new Error(String(error)), connection);
  }
}

/**
 * Runs `work` (the pending migrations) with SQLite's temporary storage in files again: a migration that indexes a
 * large table sorts it through temporary files, which temp_store = MEMORY would hold in memory, all of it at once.
 */
export async function withTemporaryFiles<T>(execute: (sql: string) => Promise<unknown>, work: () => Promise<T>): Promise<T> {
  await execute('pragma temp_store = FILE');
  try {
    return await work();
  } finally {
    await execute('pragma temp_store = MEMORY');
  }
}

export async function openSqliteDatabase(options: SqliteOptions, ctx: PluginContext): Promise<Database> {
  const file = sqliteFilePath(options, ctx);
  if (file !== ':memory:') await mkdir(dirname(file), { recursive: true });
  const logger = ctx.logger.child({ component: 'db', dialect: 'sqlite' });
  const orm = await MikroORM.init({
    ...sharedOrmOptions(logger),
    dbName: file,
    pool: { afterCreate: configureSqliteConnection },
  });
  const knexClient = orm.em.getConnection().getKnex().client;
  const checkpointer = file === ':memory:'
    ? null
    : new SqliteCheckpointer(file, undefined, (err) => logger.warn({ err }, 'WAL checkpoint thread'), CHECKPOINT_THREAD_AFTER_BATCHES);
  const pool: SqliteConnectionPool = {
    acquire: async () => (await knexClient.acquireConnection()) as SqliteConnection,
    release: (connection) => {
      void knexClient.releaseConnection(connection);
      // A batch was committed: its pages are copied from the WAL in the checkpoint thread, off the event loop.
      checkpointer?.written(connection);
    },
  };
  const migrate = () => applyPendingMigrations(
    orm, 'sqlite', async () => (await import('./migrations/sqlite/sqlite-migrations.js')).SQLITE_MIGRATIONS,
    (up) => withTemporaryFiles((sql) => orm.em.getConnection().execute(sql), () => up()),
  );
  const readers = file === ':memory:' ? null : new SqliteReaders(file);
  // The executor closes its readers once its last batch is committed: the checkpoint thread stops with them.
  const closing = readers && {
    read: readers.read.bind(readers),
    close: async () => {
      await readers.close();
      await checkpointer?.close();
    },
  };
  return new MikroOrmDatabase(orm, new SqliteGroupCommit(pool, closing), migrate, logger, file === ':memory:' ? 'SQLite in memory' : `SQLite file ${file}`);
}

export default definePlugin<'db', SqliteOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'db',
  id: 'sqlite',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description:
          `Database file. Default: ${DEFAULT_SQLITE_FILE} in the data folder. Relative paths resolve against the ` +
          'configuration file\'s folder; ":memory:" keeps the data in memory.',
      },
    },
  },
  create: openSqliteDatabase,
});
