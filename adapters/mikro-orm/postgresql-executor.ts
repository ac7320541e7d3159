/**
 * PostgreSQL executor: statements go straight to a `pg` connection borrowed from the pool MikroORM (knex)
 * manages, as prepared statements with bound parameters. MikroORM keeps the schema and the migrations;
 * the hot path skips its EntityManager forks and knex's query building, which cost more CPU than the
 * statements themselves (≈ 0.5 ms per statement). PostgreSQL has real concurrency and its own group
 * commit, so each `atomic` call is simply one transaction.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { SqlArgument, SqlCodec, SqlExecutor, SqlParam, SqlRow, SqlSession } from './sql-executor.js';

export function postgresqlCodec(parseTimestamp: (value: string) => Date): SqlCodec {
  return {
    // ISO strings with an explicit `Z`, so the session time zone can never shift a value.
    time: (value) => value.toISOString(),
    readTime: (value) => (value instanceof Date ? value : parseTimestamp(String(value))),
    json: (value) => JSON.stringify(value),
    // node-postgres parses jsonb itself. Our JSON columns hold only objects and arrays, so a string
    // here is JSON text that was not parsed yet.
    readJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
  };
}

interface PgResult {
  rows: SqlRow[];
  rowCount: number | null;
}

/** The part of node-postgres' Client used here. */
interface PgConnection {
  query(config: { text: string; values: SqlArgument[]; name?: string }): Promise<PgResult>;
}

/** The part of knex's client that lends the pool's connections (search_path already set on each). */
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/** Distinct statement texts prepared by name; beyond this (batch inserts of many sizes) they run unnamed. */
const MAX_PREPARED = 1_000;

/** `?` placeholders become `$1 …`; the most used texts become named prepared statements, parsed once per connection. */
class StatementCache {
  private readonly texts = new Map<string, { text: string; name?: string }>();

  get(sql: string): { text: string; name?: string } {
    let statement = this.texts.get(sql);
    if (!statement) {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      statement = this.texts.size < MAX_PREPARED ? { text, name: `aoc_${this.texts.size}` } : { text };
      this.texts.set(sql, statement);
    }
    return statement;
  }
}

function connectionSession(connection: PgConnection, statements: StatementCache): SqlSession {
  const query = (sql: string, params: readonly SqlParam[]): Promise<PgResult> => connection.query({ ...statements.get(sql), values: [...params] });
  return {
    rows: async (sql, params) => (await query(sql, params)).rows,
    run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
  };
}

export class PostgresqlExecutor implements SqlExecutor {
  readonly dialect = 'postgresql' as const;
  private readonly statements = new StatementCache();
  private inFlight = 0;
  private closed = false;
  private idle: (() => void) | null = null;

  constructor(
    private readonly orm: MikroORM,
    readonly codec: SqlCodec,
  ) {}

  run<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => work(connectionSession(connection, this.statements)));
  }

  /**
   * One statement whose parameters may be arrays (node-postgres sends a JS array as an array literal), in autocommit:
   * many rows in one statement of one text, `unnest($1::text[], …)`, prepared once whatever their number.
   */
  arrayRows(sql: string, params: readonly SqlArgument[]): Promise<SqlRow[]> {
    return this.withConnection(async (connection) => (await connection.query({ ...this.statements.get(sql), values: [...params] })).rows);
  }

  /** PostgreSQL's readers never wait for writers (MVCC): a read is a plain pooled statement. */
  read<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.run(work);
  }

  atomic<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.withConnection(async (connection) => {
      const session = connectionSession(connection, this.statements);
      await session.run('BEGIN', []);
      try {
        const value = await work(session);
        await session.run('COMMIT', []);
        return value;
      } catch (error) {
        // A broken connection fails here too; knex marks it disposed and the pool drops it.
        await session.run('ROLLBACK', []).catch(() => undefined);
        throw error;
      }
    });
  }

  async drain(): Promise<void> {
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private async withConnection<T>(operation: (connection: PgConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The PostgreSQL database is closed.');
    this.inFlight++;
    try {
      const client = this.orm.em.getConnection().getKnex().client as KnexClient;
      const connection = await client.acquireConnection();
      try {
        return await operation(connection);
      } finally {
        await client.releaseConnection(connection);
      }
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.idle) this.idle();
    }
  }
}
