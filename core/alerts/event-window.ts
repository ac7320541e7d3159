import type { Clock } from '../../ports/runtime.js';

/** Times of one key's events in order; the ones before `head` have left the window. */
interface Times {
  at: number[];
  head: number;
}

/**
 * Events per key within a sliding window on the core clock (fake in tests). Memory per key is bounded by
 * the events of one window; keys without recent events are dropped as they are read. The times of a key
 * are kept in order, so leaving the window is dropping from the front: an event costs O(1) however many
 * the window holds (the anomaly detector sees every send, thousands an hour).
 */
export class EventWindow {
  private readonly events = new Map<string, Times>();

  constructor(private readonly clock: Clock, private readonly windowMs: () => number) {}

  /** Adds an event for `key` now; returns how many the window holds, this one included. */
  add(key: string): number {
    const now = this.clock.now().getTime();
    const times = this.recent(key, now) ?? { at: [], head: 0 };
    this.events.set(key, times);
    insertInOrder(times.at, now);
    return times.at.length - times.head;
  }

  count(key: string): number {
    const times = this.recent(key, this.clock.now().getTime());
    return times ? times.at.length - times.head : 0;
  }

  clear(key: string): void {
    this.events.delete(key);
  }

  /** The key's times with those out of the window dropped; undefined (and forgotten) when none is left. */
  private recent(key: string, now: number): Times | undefined {
    const times = this.events.get(key);
    if (!times) return undefined;
    const since = now - this.windowMs();
    while (times.head < times.at.length && times.at[times.head]! <= since) times.head++;
    if (times.head === times.at.length) {
      this.events.delete(key);
      return undefined;
    }
    // Copy the live part down now and then, so the dropped front does not keep growing.
    if (times.head >= 1024 && times.head * 2 >= times.at.length) {
      times.at = times.at.slice(times.head);
      times.head = 0;
    }
    return times;
  }
}

/** Appends `at`, or places it in order when the clock went back (a fake clock in tests). */
function insertInOrder(times: number[], at: number): void {
  let i = times.length;
  while (i > 0 && times[i - 1]! > at) i--;
  times.splice(i, 0, at);
}
