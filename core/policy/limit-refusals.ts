import { DomainError, type ErrorCode } from '../../ports/errors.js';
import { microsToDecimal } from '../usage/money.js';
import { secondsUntil, type UsageWindow } from '../usage/windows.js';

/** A limit refusal: when it resets, how long to wait, and the limit itself, never whom it was about. */
export function limitRefusal(
  code: Extract<ErrorCode, 'RATE_LIMITED' | 'SPENDING_CAP_REACHED' | 'CONTACT_LIMIT_REACHED'>,
  message: string,
  nextStep: string,
  window: UsageWindow,
  now: Date,
  details: Record<string, string | number>,
): DomainError {
  return new DomainError(code, message, nextStep, {
    ...details,
    window: window.size,
    resetAt: window.end.toISOString(),
    retryAfterSeconds: secondsUntil(window.end, now),
  });
}

export function money(micros: number, currency: string): string {
  return `${microsToDecimal(micros)} ${currency}`;
}
