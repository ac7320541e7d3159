import { expect } from 'vitest';
import { type DomainError, type ErrorCode, isDomainError } from '../ports/errors.js';

/** The DomainError `promise` rejects with (failing the test on anything else). */
export async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    expect(isDomainError(err), `expected a DomainError, got ${String(err)}`).toBe(true);
    return err as DomainError;
  }
  throw new Error('expected the call to fail');
}

/** A DomainError with this code, a next step for the caller, and no secret anywhere in it. */
export async function expectFailure(promise: Promise<unknown>, code: ErrorCode, secrets: readonly string[]): Promise<DomainError> {
  const err = await rejection(promise);
  expect(err.code).toBe(code);
  expect(typeof err.nextStep === 'string' && err.nextStep.length > 0, 'nextStep tells the caller what to do').toBe(true);
  const visible = JSON.stringify({ message: err.message, nextStep: err.nextStep, details: err.details, stack: err.stack });
  for (const secret of secrets) expect(visible.includes(secret), 'an error reveals a credential').toBe(false);
  return err;
}

/** The code of the DomainError `fn` throws; null when it returns or throws something else. */
export function codeThrownBy(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    return isDomainError(err) ? err.code : null;
  }
  return null;
}
