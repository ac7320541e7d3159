import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../ports/runtime.js';

/**
 * `prefix_` + 10 base32 chars of milliseconds + 16 random base32 chars (ULID layout, lower case):
 * ids sort by creation time, which keeps index inserts append-mostly.
 */
export class TimeSortableIds implements IdGenerator {
  private static readonly ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

  next(prefix: string): string {
    const a = TimeSortableIds.ALPHABET;
    let time = Date.now();
    let head = '';
    for (let i = 0; i < 10; i++) {
      head = a[time % 32] + head;
      time = Math.floor(time / 32);
    }
    const bytes = randomBytes(16);
    let tail = '';
    for (const byte of bytes) tail += a[byte % 32];
    return `${prefix}_${head}${tail}`;
  }
}
