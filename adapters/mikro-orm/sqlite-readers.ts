/**
 * Read-only SQLite connections, each in its own worker thread, for reads that must neither wait behind
 * the group-committed write batch nor hold it up (history pages, see SqlExecutor.read).
 *
 * A second connection alone would not do: better-sqlite3 is synchronous, so a long read on the main
 * thread blocks the event loop, and with it every write. In a worker it runs on another core while the
 * writer goes on; WAL lets a reader and the writer proceed together, each reader seeing the last commit.
 *
 * The worker's source is plain JavaScript evaluated from a string, so it runs the same under tsx,
 * vitest and the compiled dist/ (a .ts worker file would need a loader in each).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqlParam, SqlRow, SqlSession } from './sql-executor.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('query_only = ON');
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', ({ id, sql, params }) => {
  try {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 500) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    parentPort.postMessage({ id, rows: statement.all(params) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Reply {
  id: number;
  rows?: SqlRow[];
  error?: { message: string; code?: string };
}

interface Pending {
  resolve: (rows: SqlRow[]) => void;
  reject: (error: Error) => void;
}

/** One worker thread holding one read-only connection; statements run one at a time, in order. */
class ReaderThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly worker: Worker;
  readonly session: SqlSession;

  constructor(file: string, driver: string, private readonly onExit: (reader: ReaderThread) => void) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    // An idle reader must not keep the process alive; one with work in flight must.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`The SQLite reader thread exited (code ${code}).`)));
    this.session = {
      rows: (sql, params) => this.query(sql, params),
      run: () => Promise.reject(new Error('A read-only session cannot write.')),
    };
  }

  get load(): number {
    return this.pending.size;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  private query(sql: string, params: readonly SqlParam[]): Promise<SqlRow[]> {
    const id = this.nextId++;
    return new Promise<SqlRow[]>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, params });
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error) waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else waiter.resolve(reply.rows ?? []);
  }

  private fail(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    this.onExit(this);
  }
}

export class SqliteReaders {
  private readonly threads: ReaderThread[] = [];
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');
  private inFlight = 0;
  private idle: (() => void) | null = null;

  constructor(
    private readonly file: string,
    /** Threads are started on demand, up to this many: one more while every one is busy. */
    private readonly maxThreads = 2,
  ) {}

  async read<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await work(this.pick().session);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  /** Waits for the reads in flight, then stops the threads. */
  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await Promise.all(this.threads.splice(0).map((thread) => thread.close()));
  }

  private pick(): ReaderThread {
    const idlest = this.threads.reduce<ReaderThread | undefined>((best, t) => (!best || t.load < best.load ? t : best), undefined);
    if (idlest && (idlest.load === 0 || this.threads.length >= this.maxThreads)) return idlest;
    const thread = new ReaderThread(this.file, this.driver, (gone) => {
      const index = this.threads.indexOf(gone);
      if (index >= 0) this.threads.splice(index, 1);
    });
    this.threads.push(thread);
    return thread;
  }
}
