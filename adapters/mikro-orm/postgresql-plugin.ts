/**
 * `db: { use: postgresql, options: { url, schema?, poolMax? } }` — the production database. `url` is a
 * secret (it usually carries the password). `schema` puts every table, including MikroORM's migration
 * log, in that schema (created by `migrate()` when missing) instead of the default search path.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { definePlugin, PLUGIN_API_VERSION, type PluginContext } from '../../ports/plugin.js';
import type { Database } from '../../ports/repositories.js';
import { MikroOrmDatabase } from './mikro-orm-database.js';
import { applyPendingMigrations } from './migrations/pending-migrations.js';
import { sharedOrmOptions } from './orm-options.js';
import { PostgresqlExecutor, postgresqlCodec } from './postgresql-executor.js';

export interface PostgresqlOptions {
  url: string;
  schema?: string;
  poolMax?: number;
}

const DEFAULT_POOL_MAX = 10;
// Interpolated into DDL and search_path, so only plain identifiers are accepted.
const SCHEMA_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';

/** Host, port, database and schema of the URL: never its user name or password. */
function postgresqlLocation(options: PostgresqlOptions): string {
  let where = 'PostgreSQL';
  try {
    const url = new URL(options.url);
    where = `PostgreSQL ${url.host}${url.pathname}`;
  } catch {
    // A URL the driver accepts but URL does not parse: name the dialect only.
  }
  return options.schema === undefined ? where : `${where} (schema ${options.schema})`;
}

function migrate(orm: MikroORM, schema: string | undefined): Promise<string[]> {
  const list = async () => (await import('./migrations/postgresql/postgresql-migrations.js')).POSTGRESQL_MIGRATIONS;
  return applyPendingMigrations(orm, 'postgresql', list, async (up) => {
    const connection = orm.em.getConnection();
    if (schema !== undefined) await connection.execute(`create schema if not exists "${schema}"`);
    // Serialise servers that start together: the second waits, then finds nothing pending. The connection's own
    // transaction, not em.transactional: that one enters MikroORM's AsyncLocalStorage stores, which on Node 20
    // leave async hooks on every promise of the process for good (a few per cent of each request's CPU).
    return connection.transactional(async (transaction) => {
      await connection.execute(
        'select pg_advisory_xact_lock(hashtext(?))', [`agentos-comms:migrate:${schema ?? ''}`], 'all', transaction,
      );
      return up(transaction);
    });
  });
}

export async function openPostgresqlDatabase(options: PostgresqlOptions, ctx: PluginContext): Promise<Database> {
  const logger = ctx.logger.child({ component: 'db', dialect: 'postgresql' });
  const orm = await MikroORM.init({
    ...sharedOrmOptions(logger),
    clientUrl: options.url,
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    pool: { min: 0, max: options.poolMax ?? DEFAULT_POOL_MAX },
    driverOptions: {
      // The repositories' SQL names tables without a schema: search_path points it at the right one.
      ...(options.schema !== undefined ? { searchPath: [options.schema] } : {}),
      // Fail a ping or a request within seconds when the server is unreachable, not after a minute.
      acquireConnectionTimeout: 10_000,
      connection: { connectionTimeoutMillis: 5_000 },
    },
  });
  const platform = orm.em.getPlatform();
  const executor = new PostgresqlExecutor(orm, postgresqlCodec((value) => platform.parseDate(value)));
  return new MikroOrmDatabase(orm, executor, () => migrate(orm, options.schema), logger, postgresqlLocation(options));
}

export default definePlugin<'db', PostgresqlOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'db',
  id: 'postgresql',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: {
        type: 'string',
        minLength: 1,
        description: 'Connection URL, e.g. postgresql://user:password@host:5432/database.',
      },
      schema: {
        type: 'string',
        pattern: SCHEMA_NAME,
        description: 'Schema holding the tables (created by migrate when missing). Default: the search path.',
      },
      poolMax: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        description: `Most connections open at once. Default: ${DEFAULT_POOL_MAX}.`,
      },
    },
  },
  secrets: ['url'],
  create: openPostgresqlDatabase,
});
