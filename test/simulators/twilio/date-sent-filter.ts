import { firstValue, type FormParams } from './form-params.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * Twilio's `DateSent`, `DateSent<` and `DateSent>` list filters: a GMT date (`YYYY-MM-DD`, the whole day, bounds
 * inclusive) or a date-time (that instant). A message not sent yet (`date_sent` null: queued, accepted) matches no
 * DateSent filter, as on Twilio. Returns null when a value is not a date Twilio would read.
 */
export function dateSentFilter(query: FormParams): ((dateSent: Date | null) => boolean) | null {
  const bounds: Array<(t: number) => boolean> = [];
  for (const [name, toBound] of [
    ['DateSent', (start: number, end: number) => (t: number) => t >= start && t < end],
    ['DateSent>', (start: number) => (t: number) => t >= start],
    ['DateSent<', (_start: number, end: number, exact: boolean) => (t: number) => (exact ? t <= end : t < end)],
  ] as const) {
    const value = firstValue(query, name);
    if (value === undefined) continue;
    const start = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(start)) return null;
    const exact = !DATE_ONLY.test(value);
    bounds.push(toBound(start, exact ? start : start + DAY_MS, exact));
  }
  return (dateSent) => bounds.length === 0 || (dateSent !== null && bounds.every((bound) => bound(dateSent.getTime())));
}
