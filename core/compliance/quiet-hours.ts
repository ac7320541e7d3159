import type { QuietHoursWindow } from './compliance-settings.js';
import { localTime, zonedInstant } from './zoned-time.js';

/** How far ahead the next allowed time is looked for: beyond a week, windows of these zones never meet. */
const SEARCH_DAYS = 8;

export function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Whether a local time of day falls in the window; a window whose end is before its start spans midnight. */
export function inWindow(minutes: number, window: QuietHoursWindow): boolean {
  const start = clockMinutes(window.start);
  const end = clockMinutes(window.end);
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

export function allowedEverywhere(at: Date, zones: readonly string[], window: QuietHoursWindow): boolean {
  return zones.every((zone) => inWindow(localTime(at, zone).minutes, window));
}

/**
 * The first instant from `now` at which the window holds in every zone (for a number spanning several),
 * with the zone whose opening decided it; `now` itself when it already holds; null when the windows of
 * these zones never overlap. Such an instant is always one zone's opening, so only openings are tried.
 */
export function nextAllowed(now: Date, zones: readonly string[], window: QuietHoursWindow): { at: Date; zone: string } | null {
  if (allowedEverywhere(now, zones, window)) return { at: now, zone: zones[0]! };
  const start = clockMinutes(window.start);
  const openings: Array<{ at: Date; zone: string }> = [];
  for (const zone of zones) {
    const today = localTime(now, zone);
    for (let d = 0; d <= SEARCH_DAYS; d++) {
      const at = zonedInstant(today.year, today.month, today.day + d, start, zone);
      if (at > now) openings.push({ at, zone });
    }
  }
  openings.sort((a, b) => a.at.getTime() - b.at.getTime());
  return openings.find((o) => allowedEverywhere(o.at, zones, window)) ?? null;
}
