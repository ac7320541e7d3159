import type { Clock } from '../../ports/runtime.js';

/**
 * Events per key within a sliding window on the core clock (fake in tests). Memory per key is bounded by
 * the events of one window; keys without recent events are dropped as they are read.
 */
export class EventWindow {
  private readonly events = new Map<string, number[]>();

  constructor(private readonly clock: Clock, private readonly windowMs: () => number) {}

  /** Adds an event for `key` now; returns how many the window holds, this one included. */
  add(key: string): number {
    const recent = this.recent(key);
    recent.push(this.clock.now().getTime());
    this.events.set(key, recent);
    return recent.length;
  }

  count(key: string): number {
    return this.recent(key).length;
  }

  clear(key: string): void {
    this.events.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock.now().getTime() - this.windowMs();
    const kept = (this.events.get(key) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.events.delete(key);
    return kept;
  }
}
