/** Fixed UTC windows that limits count in: every agent's day starts at 00:00 UTC, its month on the 1st. */
export type WindowSize = 'minute' | 'hour' | 'day' | 'month';

export interface UsageWindow {
  readonly size: WindowSize;
  readonly start: Date;
  readonly end: Date;
}

const MS: Readonly<Record<Exclude<WindowSize, 'month'>, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The last window handed out per size: every send of a minute asks for the same few. */
const latest = new Map<WindowSize, UsageWindow>();

/**
 * The window of `size` that holds `now`. Shared and frozen: every action of the same window gets the same
 * object (never change its dates), so a send allocates no windows.
 */
export function windowAt(size: WindowSize, now: Date): UsageWindow {
  const at = now.getTime();
  const last = latest.get(size);
  if (last && last.start.getTime() <= at && at < last.end.getTime()) return last;
  const window = Object.freeze(computeWindow(size, now));
  latest.set(size, window);
  return window;
}

function computeWindow(size: WindowSize, now: Date): UsageWindow {
  if (size === 'month') {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    return { size, start, end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
  }
  const length = MS[size];
  const start = new Date(Math.floor(now.getTime() / length) * length);
  return { size, start, end: new Date(start.getTime() + length) };
}

/** Whole seconds until the window ends, at least 1 (a retry sooner would be refused again). */
export function secondsUntil(end: Date, now: Date): number {
  return Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));
}
