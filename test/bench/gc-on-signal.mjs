// Preloaded (`--expose-gc --import`) into every process `npm run bench:startup` measures, the baseline
// alike: SIGUSR2 runs a full garbage collection, so idle RSS is read after one.
process.on('SIGUSR2', () => globalThis.gc?.());
