/**
 * The narrow SQL surface the repositories are written against, so that one set of repositories serves
 * both dialects while each dialect runs statements the fastest way it can (see sqlite-group-commit.ts
 * and postgresql-executor.ts). SQL uses `?` placeholders and only syntax both dialects accept.
 */

export type SqlParam = string | number | null;
/** PostgreSQL only (see PostgresqlExecutor.arrayRows): a parameter, or an array of them, for `unnest($1::text[])`. */
export type SqlArgument = SqlParam | readonly SqlParam[];
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlSession {
  /** Rows of a statement that returns rows (SELECT, or INSERT … RETURNING). */
  rows(sql: string, params: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Runs INSERT/UPDATE/DELETE without RETURNING; resolves to the number of rows changed. */
  run(sql: string, params: readonly SqlParam[]): Promise<number>;
  /** SQLite's write batch the session's statements run in (absent on PostgreSQL). */
  readonly batch?: SqlBatch;
}

/**
 * SQLite's write batch (sqlite-group-commit.ts): its jobs share one transaction, which holds the database's write
 * lock from its BEGIN IMMEDIATE to its COMMIT, so a value a job reads stays current for the rest of the batch unless
 * a job of the same batch changes it. A repository may keep state for one batch and leave writes to its end.
 */
export interface SqlBatch {
  /** State per owner (a key object of the module that keeps it), dropped when the batch ends. */
  readonly state: Map<object, unknown>;
  /**
   * Runs `undo` if the writes the calling job has made so far are rolled back (an `atomic` job, or a transaction,
   * that fails: its SAVEPOINT); outside a SAVEPOINT never, each statement standing on its own.
   */
  onRollback(undo: () => void): void;
  /**
   * Runs after the batch's last job, outside any SAVEPOINT, before the COMMIT; a throw fails every job of the batch,
   * so a job told its writes are stored never finds one of them missing.
   */
  beforeCommit(write: (session: SqlSession) => Promise<void>): void;
}

/** How values cross the driver boundary; the two drivers disagree on dates and JSON. */
export interface SqlCodec {
  time(value: Date): SqlParam;
  readTime(value: unknown): Date;
  /** Any JSON-safe value: objects (metadata) and arrays (call history) alike. */
  json(value: unknown): SqlParam;
  /** The parsed value, unchecked: row-values.ts checks its shape against the record's type. */
  readJson(value: unknown): unknown;
}

/**
 * `work` must use only the session it is given and must not call the executor again: on SQLite the
 * inner call would wait for the batch that is waiting for it.
 */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgresql';
  readonly codec: SqlCodec;
  /**
   * Statements that need no atomicity between them (reads, or a single write). Resolves only once any
   * write is durable (committed).
   */
  run<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Statements that only read and need not see writes still in flight. On SQLite they run on read-only
   * connections beside the write batch (never queued behind it, never holding it up); each statement sees
   * the latest commit, so several statements in `work` do not share one snapshot.
   */
  read<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Statements that are committed together or not at all; a throw undoes every write of `work`. */
  atomic<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Finishes the work already accepted, then refuses new work. Does not close the connection. */
  drain(): Promise<void>;
  /**
   * PostgreSQL's pool only (absent on SQLite and inside a transaction): one autocommit statement whose parameters
   * may be arrays, so that many rows go in one statement (postgresql-inbound-batch.ts).
   */
  arrayRows?(sql: string, params: readonly SqlArgument[]): Promise<SqlRow[]>;
}

/**
 * The executor a transaction's repositories use: every statement goes to the transaction's own session.
 * Calls are serialised (a transaction is one connection), and each `atomic` call runs in a SAVEPOINT,
 * so a repository call that fails inside undoes only its own writes and the transaction can go on.
 */
export function sessionExecutor(base: Pick<SqlExecutor, 'dialect' | 'codec'>, session: SqlSession): SqlExecutor {
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    dialect: base.dialect,
    codec: base.codec,
    run: (work) => serialised(() => work(session)),
    // Inside a transaction a read must see the transaction's own writes: same session.
    read: (work) => serialised(() => work(session)),
    atomic: (work) =>
      serialised(async () => {
        await session.run('SAVEPOINT nested', []);
        try {
          const value = await work(session);
          await session.run('RELEASE SAVEPOINT nested', []);
          return value;
        } catch (error) {
          await session.run('ROLLBACK TO SAVEPOINT nested', []);
          await session.run('RELEASE SAVEPOINT nested', []);
          throw error;
        }
      }),
    drain: async () => undefined,
  };
}
