/** Fixed UTC windows that limits count in: every agent's day starts at 00:00 UTC, its month on the 1st. */
export type WindowSize = 'minute' | 'hour' | 'day' | 'month';

export interface UsageWindow {
  size: WindowSize;
  start: Date;
  end: Date;
}

const MS: Readonly<Record<Exclude<WindowSize, 'month'>, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function windowAt(size: WindowSize, now: Date): UsageWindow {
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
