/**
 * WAL checkpoints of the SQLite file in a worker thread, off the event loop. By default the writer checkpoints
 * itself, inside the COMMIT that takes the WAL past 1,000 pages: it copies those pages into the database file and
 * fsyncs both files (synchronous = NORMAL syncs only there), and better-sqlite3 being synchronous, the event loop
 * waits the while (strace of the bench server, on a loaded machine: 99 fsyncs in 10,000 sends, ~5 ms each).
 *
 * Here a connection of its own, in a worker, runs a PASSIVE checkpoint (it never waits for the writer or a reader)
 * shortly after writes. The writer keeps its own automatic checkpoint, at a higher mark (WRITER_CHECKPOINT_PAGES in
 * sqlite-plugin.ts): it then finds nearly every page copied already, and its checkpoint is what lets the WAL start
 * over from its beginning (a checkpoint running beside a writer that keeps committing seldom ends with every frame
 * copied, so without it the WAL would keep growing under steady load), and what bounds the WAL should the worker
 * fall behind or stop. Durability is unchanged: a COMMIT is in the WAL before any caller is told, as before.
 *
 * The worker starts only once the writer has committed `startAfterBatches` batches: a thread holds ~10 MB, which an
 * idle or lightly used server (or a CLI command) would carry for nothing. Until then the writer checkpoints itself as
 * SQLite does by default; when the thread starts, the writer's own mark goes up to `writerPagesWithThread`. Its
 * source is plain JavaScript evaluated from a string, as the readers' (sqlite-readers.ts).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteConnection } from './sqlite-group-commit.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message) });
  }
});
`;

/** What one checkpoint did: pages in the WAL, and of them copied into the database file (-1 each: no WAL). */
export interface CheckpointResult {
  log: number;
  checkpointed: number;
}

type Reply = ({ ok: true } & CheckpointResult) | { ok: false; message: string };

export class SqliteCheckpointer {
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Writes committed since the last checkpoint was asked for. */
  private dirty = false;
  private closed = false;
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');
  private readonly waiters: Array<(result: CheckpointResult | null) => void> = [];
  private batches = 0;

  constructor(
    private readonly file: string,
    /** How long after a write its checkpoint is asked for: the writes of that while share one checkpoint. */
    private readonly delayMs = 100,
    private readonly onError: (error: Error) => void = () => {},
    /** Committed batches before the thread starts (see the module comment). */
    private readonly startAfterBatches = 1,
    /** The writer's own checkpoint mark, in WAL pages, once the thread runs (SQLite's default: 1,000). */
    private readonly writerPagesWithThread = 4000,
  ) {}

  /** Whether the checkpoint thread has been started. */
  get started(): boolean {
    return this.worker !== null;
  }

  /**
   * `writer` (idle: between its batches) committed a write batch: a checkpoint follows within `delayMs`, once the
   * thread has started.
   */
  written(writer: Pick<SqliteConnection, 'prepare'>): void {
    if (this.closed) return;
    if (!this.worker) {
      if (++this.batches < this.startAfterBatches) return;
      this.ensureWorker();
      // The thread copies pages long before: the writer's own checkpoint, rarer, lets the WAL start over and bounds it.
      writer.prepare(`PRAGMA wal_autocheckpoint = ${this.writerPagesWithThread}`).run([]);
    }
    this.dirty = true;
    this.schedule();
  }

  /** Resolves after the next checkpoint (null: none ran, the checkpointer is closed or failed). For tests and diagnostics. */
  next(): Promise<CheckpointResult | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops the worker after the checkpoint in progress (if any); SQLite's own checkpoint at close does the rest. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const worker = this.worker;
    this.worker = null;
    this.settle(null);
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    await exited;
  }

  private run(): void {
    this.timer = null;
    if (this.closed) return;
    this.dirty = false;
    this.running = true;
    try {
      this.ensureWorker().postMessage('checkpoint');
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, driver: this.driver } });
    // Never what keeps the process alive: the writer's own checkpoint (or SQLite's at close) covers a lost one.
    worker.unref();
    worker.on('message', (reply: Reply) => this.done(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.fail(new Error('The SQLite checkpoint thread exited.'));
    });
    this.worker = worker;
    return worker;
  }

  private done(reply: Reply): void {
    this.running = false;
    if (!reply.ok) this.onError(new Error(`WAL checkpoint failed: ${reply.message}`));
    this.settle(reply.ok ? { log: reply.log, checkpointed: reply.checkpointed } : null);
    // Writes that came while it ran: their own checkpoint.
    if (this.dirty) this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.running || this.closed) return;
    this.timer = setTimeout(() => this.run(), this.delayMs);
    this.timer.unref();
  }

  /** The worker is gone: no more checkpoints here; the writer's own checkpoint bounds the WAL from now on. */
  private fail(error: Error): void {
    this.running = false;
    this.closed = true;
    this.worker = null;
    this.settle(null);
    this.onError(error);
  }

  private settle(result: CheckpointResult | null): void {
    for (const resolve of this.waiters.splice(0)) resolve(result);
  }
}
