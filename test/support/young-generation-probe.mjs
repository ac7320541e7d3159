// Preloaded into the built CLI by a test (NODE_OPTIONS=--import …): writes to the file named by
// COMMS_TEST_YOUNG_GENERATION the size of V8's young generation (new space, in bytes) when `serve` is ready,
// then again after allocating objects that outlive a few collections, as a server under load does.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.COMMS_TEST_YOUNG_GENERATION;
const newSpace = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;

if (file) {
  process.once('agentos-comms:ready', () => {
    const atReady = newSpace();
    // Once the start is announced complete: kept objects, ~64 MB of them over time, a few hundred KB at a time.
    setImmediate(() => {
      const kept = [];
      for (let i = 0; i < 2_000; i++) {
        kept.push(Array.from({ length: 4_096 }, (_, j) => ({ i, j })));
        if (kept.length > 200) kept.shift();
      }
      writeFileSync(file, JSON.stringify({ atReady, underLoad: newSpace() }));
    });
  });
}
