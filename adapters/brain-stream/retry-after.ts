/**
 * Seconds to wait, from `retry-after-ms` (OpenAI), `retry-after` in seconds, or `retry-after` as an HTTP
 * date; null when the answer did not say.
 */
export function retryAfterSeconds(headers: Headers | null | undefined, now: Date): number | null {
  if (!headers) return null;
  const ms = headers.get('retry-after-ms')?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms) / 1000);
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
