import { createHash } from 'node:crypto';

/** The public client token of Edge's Read Aloud feature (not a secret: it ships in the browser). */
export const TRUSTED_CLIENT_TOKEN = '6A5AA1D4EAFF4E9FB37E23D68491D6F4';

/** Seconds between 1601-01-01 (Windows file time epoch) and 1970-01-01. */
const WINDOWS_EPOCH_OFFSET_S = 11644473600;

/**
 * The `Sec-MS-GEC` token Edge sends: SHA-256 of the Windows file time, rounded down to 5 minutes, followed by
 * the client token. Computed with the same floating-point steps as the clients so the strings match.
 */
export function secMsGec(now: Date, token = TRUSTED_CLIENT_TOKEN): string {
  const ticks = Math.floor(now.getTime() / 1000) + WINDOWS_EPOCH_OFFSET_S;
  const rounded = ticks - (ticks % 300);
  const windowsTicks = rounded * 10000000;
  return createHash('sha256').update(`${windowsTicks}${token}`, 'ascii').digest('hex').toUpperCase();
}

/** True for the token of this 5-minute window or the previous one (a request may straddle the boundary). */
export function isCurrentSecMsGec(value: string | null, now: Date): boolean {
  if (!value) return false;
  return value === secMsGec(now) || value === secMsGec(new Date(now.getTime() - 300_000));
}
