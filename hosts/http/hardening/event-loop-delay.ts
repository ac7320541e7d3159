import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The event loop's recent delay, read by load shedding (tests inject one they set). */
export interface EventLoopDelay {
  /** Mean delay over the last sampling period, in milliseconds. */
  currentMs(): number;
  close(): void;
}

/**
 * Samples perf_hooks' event-loop delay histogram every `periodMs` and keeps the last period's mean: a
 * sustained lag, not one long task (a p99 would shed a whole second of traffic after a single slow job).
 */
export function measureEventLoopDelay(periodMs = 1000): EventLoopDelay {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = 0;
  const timer = setInterval(() => {
    last = histogram.count > 0 ? histogram.mean / 1e6 : 0;
    histogram.reset();
  }, periodMs);
  timer.unref();
  return {
    currentMs: () => last,
    close() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
