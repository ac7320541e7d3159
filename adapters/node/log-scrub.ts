/**
 * Personal data that must never reach a log line even when code puts it in a message or an error text
 * (a provider's "'To' number +1555… is not valid"): phone numbers written with a leading `+` (E.164,
 * `whatsapp:+…`, spaced or dashed) and email addresses. Keys that hold contents or secrets are redacted
 * by pino's `redact` paths instead (see pino-logger.ts).
 */
const PHONE = /\+\d[\d\s().-]{5,}\d/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
export const SCRUBBED = '[redacted]';

export function scrubText(text: string): string {
  if (!text.includes('+') && !text.includes('@')) return text;
  return text.replace(EMAIL, SCRUBBED).replace(PHONE, SCRUBBED);
}

/** A copy of `value` with every string scrubbed; errors become plain objects (type, message, code, stack). */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    const { code } = value as Error & { code?: unknown };
    return { type: value.name, message: scrubText(value.message), ...(code === undefined ? {} : { code }), stack: value.stack ? scrubText(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, depth + 1)]));
}
