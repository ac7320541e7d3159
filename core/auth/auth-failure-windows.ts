/** Bad tokens from one source within a window before the burst is written to the audit trail. */
export interface AuthFailureSettings {
  threshold: number;
  windowSeconds: number;
}

export const DEFAULT_AUTH_FAILURE_SETTINGS: AuthFailureSettings = { threshold: 20, windowSeconds: 60 };
/** Sources tracked at once; the oldest window is forgotten first, so a flood of sources cannot grow memory. */
const MAX_SOURCES = 10_000;

/**
 * Bad-token counts per source (an IP address) in fixed windows, in this process. Only counts live here:
 * what a burst means (an audit entry today; a lockout elsewhere may read `count`) is decided by callers.
 */
export class AuthFailureWindows {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(readonly settings: AuthFailureSettings = DEFAULT_AUTH_FAILURE_SETTINGS) {}

  /** Counts one failure at `now`; returns the count in the source's current window. */
  add(source: string, now: Date): number {
    const size = this.settings.windowSeconds * 1000;
    const start = Math.floor(now.getTime() / size) * size;
    const current = this.windows.get(source);
    const next = current && current.start === start ? { start, count: current.count + 1 } : { start, count: 1 };
    this.windows.delete(source);
    this.windows.set(source, next);
    if (this.windows.size > MAX_SOURCES) this.windows.delete(this.windows.keys().next().value as string);
    return next.count;
  }
}
