import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const run = promisify(execFile);

/**
 * In its own process (V8's flags and heap are the process's): allocates as a start does (tens of MB that
 * live on, so V8 grows its young generation), then settles the heap as `serve` does once ready, idles past
 * the settling, and prints the young generation's size before and after (MB).
 */
const SCRIPT = `
import { getHeapSpaceStatistics } from 'node:v8';
import { settleHeapAfterStart } from ${JSON.stringify(join(REPO_ROOT, 'hosts', 'cli', 'settle-heap.ts'))};
const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
const kept = [];
for (let i = 0; i < 600_000; i++) kept.push({ i, name: 'object ' + i });
const before = youngMb();
settleHeapAfterStart();
await new Promise((resolve) => setTimeout(resolve, 3_000));
console.log(JSON.stringify({ before, after: youngMb(), kept: kept.length }));
`;

describe('settling the heap after start-up', () => {
  it("shrinks the young generation that start-up's allocation grew, once the process idles", async () => {
    const { stdout } = await run(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', SCRIPT], { cwd: REPO_ROOT });
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    expect(before).toBeGreaterThanOrEqual(16);
    expect(after).toBeLessThanOrEqual(4);
  }, 60_000);
});
