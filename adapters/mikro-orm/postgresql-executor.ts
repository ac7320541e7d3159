/**
 * PostgreSQL executor: statements go through the knex client of a fresh MikroORM EntityManager fork,
 * with bound parameters (MikroORM's `execute` would inline them into the SQL text). PostgreSQL has real
 * concurrency and its own group commit, so each `atomic` call is simply one transaction.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import type { SqlCodec, SqlExecutor, SqlParam, SqlRow, SqlSession } from './sql-executor.js';

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

function knexSession(knex: Knex, transaction: Knex.Transaction | undefined): SqlSession {
  const query = async (sql: string, params: readonly SqlParam[]): Promise<PgResult> => {
    const raw = knex.raw(sql, [...params]);
    if (transaction) raw.transacting(transaction);
    return (await raw) as PgResult;
  };
  return {
    rows: async (sql, params) => (await query(sql, params)).rows,
    run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
  };
}

export class PostgresqlExecutor implements SqlExecutor {
  readonly dialect = 'postgresql' as const;
  private inFlight = 0;
  private closed = false;
  private idle: (() => void) | null = null;

  constructor(
    private readonly orm: MikroORM,
    readonly codec: SqlCodec,
  ) {}

  run<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.track(() => {
      const em = this.orm.em.fork();
      return work(knexSession(em.getConnection().getKnex(), undefined));
    });
  }

  atomic<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.track(() =>
      this.orm.em.fork().transactional((em) =>
        work(knexSession(em.getConnection().getKnex(), em.getTransactionContext<Knex.Transaction>())),
      ),
    );
  }

  async drain(): Promise<void> {
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private async track<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The PostgreSQL database is closed.');
    this.inFlight++;
    try {
      return await operation();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.idle) this.idle();
    }
  }
}
