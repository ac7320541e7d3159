import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '../../ports/runtime.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const POOL_SIZE = 4096;
const RANDOM_CHARS = 16;

/**
 * `prefix_` + 10 base32 chars of milliseconds + 16 random base32 chars (ULID layout, lower case):
 * ids sort by creation time, which keeps index inserts append-mostly. Random bytes come from a pool
 * refilled in blocks, since one system call per id shows up on the hot path.
 */
export class TimeSortableIds implements IdGenerator {
  private readonly pool = Buffer.alloc(POOL_SIZE);
  private offset = POOL_SIZE;

  next(prefix: string): string {
    let time = Date.now();
    let head = '';
    for (let i = 0; i < 10; i++) {
      head = ALPHABET[time % 32] + head;
      time = Math.floor(time / 32);
    }
    if (this.offset + RANDOM_CHARS > POOL_SIZE) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    let tail = '';
    for (let i = 0; i < RANDOM_CHARS; i++) tail += ALPHABET[this.pool[this.offset + i]! % 32];
    this.offset += RANDOM_CHARS;
    return `${prefix}_${head}${tail}`;
  }
}
