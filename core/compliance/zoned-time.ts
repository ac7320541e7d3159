/**
 * Local wall-clock time in IANA zones with the runtime's own Intl (no library in core), DST included.
 */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

function parts(at: Date, zone: string): LocalTime & { seconds: number } {
  const values: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(at)) if (part.type !== 'literal') values[part.type] = Number(part.value);
  return { year: values.year!, month: values.month!, day: values.day!, minutes: values.hour! * 60 + values.minute!, seconds: values.second! };
}

export function localTime(at: Date, zone: string): LocalTime {
  const { year, month, day, minutes } = parts(at, zone);
  return { year, month, day, minutes };
}

/** The zone's offset from UTC at that instant, in minutes (New York in winter: -300). */
export function offsetMinutes(at: Date, zone: string): number {
  const p = parts(at, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, 0, p.minutes, p.seconds);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the zone's clocks show `minutes` past midnight of that local date (day may
 * overflow: day 32 is the next month). A time skipped by a DST change is taken an hour later (02:30 →
 * 03:30), never earlier.
 */
export function zonedInstant(year: number, month: number, day: number, minutes: number, zone: string): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  const first = new Date(guess - offsetMinutes(new Date(guess), zone) * 60_000);
  const second = new Date(guess - offsetMinutes(first, zone) * 60_000);
  if (localTime(second, zone).minutes === minutes % 1440) return second;
  if (localTime(first, zone).minutes === minutes % 1440) return first;
  return first > second ? first : second;
}

/** `2026-12-01T08:00:00-05:00`: the instant as the zone's clocks show it, with the offset. */
export function formatLocal(at: Date, zone: string): string {
  const p = parts(at, zone);
  const offset = offsetMinutes(at, zone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(Math.floor(p.minutes / 60))}:${pad(p.minutes % 60)}:${pad(p.seconds)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** True for a zone name the runtime knows. */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}
