/**
 * Group commit for statements that concurrent requests would otherwise send one by one (PostgreSQL). Each
 * statement costs a round trip, a pooled connection and, for a write, a WAL flush; on loopback the socket
 * writes alone are the largest share of a request's CPU. Here an item goes out at once when a slot is free
 * (no timer: an idle server adds no latency), or with `gatherTurn` at the end of its event-loop turn, and the items
 * that arrive while every slot is busy go out together in one statement when a slot frees. Each caller still gets its own outcome.
 */

export interface GroupBatchOptions {
  /** Batches in flight at once (each holds a pooled connection). */
  concurrency: number;
  /** Most items in one statement. */
  maxBatch: number;
  /**
   * Items go out at the end of the event-loop turn they arrive in (setImmediate, still no timer), all of that turn
   * together, instead of the first ones alone while a slot is free. Under load the requests of one turn are many
   * (one per connection that had data): without it the first `concurrency` of them each cost a statement of one row.
   */
  gatherTurn?: boolean;
}

export interface GroupBatchWriter<I, R> {
  /**
   * Writes the items in one statement and answers each, in order (a promise where an item needs more
   * reading). Throws only when the statement did nothing, so that every item can be tried alone.
   */
  writeBatch(items: readonly I[]): Promise<ReadonlyArray<R | PromiseLike<R>>>;
  /** One item on its own: a batch of one, and each item of a batch whose statement failed (one bad item fails alone). */
  writeAlone(item: I): Promise<R>;
  /** Items with the same key never share a batch (a later one waits for the next, keeping their order). */
  key?(item: I): string;
}

interface Pending<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupBatch<I, R> {
  private waiting: Pending<I, R>[] = [];
  private writing = 0;
  private gathering = false;

  constructor(private readonly writer: GroupBatchWriter<I, R>, private readonly options: GroupBatchOptions) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.options.gatherTurn) this.pumpAtEndOfTurn();
      else this.pump();
    });
  }

  private pumpAtEndOfTurn(): void {
    if (this.gathering) return;
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.writing < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.take();
      this.writing++;
      void this.write(batch).finally(() => {
        this.writing--;
        this.pump();
      });
    }
  }

  private take(): Pending<I, R>[] {
    const { key } = this.writer;
    if (!key) return this.waiting.splice(0, this.options.maxBatch);
    const batch: Pending<I, R>[] = [];
    const keys = new Set<string>();
    const later: Pending<I, R>[] = [];
    for (const pending of this.waiting) {
      const k = key(pending.item);
      if (batch.length < this.options.maxBatch && !keys.has(k)) {
        batch.push(pending);
        keys.add(k);
      } else {
        later.push(pending);
      }
    }
    this.waiting = later;
    return batch;
  }

  private async write(batch: Pending<I, R>[]): Promise<void> {
    const alone = (p: Pending<I, R>): Promise<void> => this.writer.writeAlone(p.item).then(p.resolve, p.reject);
    if (batch.length === 1) return alone(batch[0]!);
    let outcomes: ReadonlyArray<R | PromiseLike<R>>;
    try {
      outcomes = await this.writer.writeBatch(batch.map((p) => p.item));
    } catch {
      await Promise.all(batch.map(alone));
      return;
    }
    await Promise.all(batch.map((p, i) => Promise.resolve(outcomes[i]!).then(p.resolve, p.reject)));
  }
}
