import { describe, expect, it } from 'vitest';
import { GroupBatch, type GroupBatchWriter } from '../../adapters/mikro-orm/group-batch.js';

/** A writer that records what went out together, and answers each item with its double (or fails a batch holding `bad`). */
function recordingWriter(bad?: number, key?: (n: number) => string): GroupBatchWriter<number, number> & { batches: number[][]; alone: number[] } {
  const batches: number[][] = [];
  const alone: number[] = [];
  return {
    batches,
    alone,
    async writeBatch(items) {
      await new Promise((r) => setTimeout(r, 5));
      if (bad !== undefined && items.includes(bad)) throw new Error('statement failed');
      batches.push([...items]);
      return items.map((n) => n * 2);
    },
    async writeAlone(n) {
      await new Promise((r) => setTimeout(r, 5));
      if (n === bad) throw new Error(`bad item ${n}`);
      alone.push(n);
      return n * 2;
    },
    ...(key ? { key } : {}),
  };
}

describe('GroupBatch', () => {
  it('writes an item at once when idle, and the items that arrive meanwhile together in one statement', async () => {
    const writer = recordingWriter();
    const batch = new GroupBatch(writer, { concurrency: 1, maxBatch: 10 });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batch.add(n)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(writer.alone).toEqual([1]);
    expect(writer.batches).toEqual([[2, 3, 4]]);
  });

  it('with gatherTurn, writes the items of one event-loop turn together although a slot is free, and a lone one alone', async () => {
    const writer = recordingWriter();
    const batch = new GroupBatch(writer, { concurrency: 4, maxBatch: 10, gatherTurn: true });
    expect(await Promise.all([1, 2, 3].map((n) => batch.add(n)))).toEqual([2, 4, 6]);
    expect(await batch.add(4)).toBe(8);
    expect(writer.batches).toEqual([[1, 2, 3]]);
    expect(writer.alone).toEqual([4]);
  });

  it('splits at maxBatch and keeps at most `concurrency` statements in flight', async () => {
    const writer = recordingWriter();
    const batch = new GroupBatch(writer, { concurrency: 2, maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batch.add(n)));
    expect(writer.alone).toEqual([1, 2, 7]);
    expect(writer.batches).toEqual([[3, 4], [5, 6]]);
  });

  it('tries every item of a failed statement alone: only the bad one fails, with its own error', async () => {
    const writer = recordingWriter(3);
    const batch = new GroupBatch(writer, { concurrency: 1, maxBatch: 10 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => batch.add(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason.message).toBe('bad item 3');
    expect(writer.alone.sort()).toEqual([1, 2, 4]);
  });

  it('never puts two items with one key in the same statement, keeping their order', async () => {
    const writer = recordingWriter(undefined, (n) => String(n % 2));
    const batch = new GroupBatch(writer, { concurrency: 1, maxBatch: 10 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)));
    expect(writer.alone).toEqual([1]);
    expect(writer.batches).toEqual([[2, 3], [4, 5]]);
  });
});
