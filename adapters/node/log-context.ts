import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fields every log line written while handling one request carries (its request id), whichever code
 * writes the line: hosts open the context, the logger reads it, nothing in between passes it along.
 */
const context = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

export function withLogContext<T>(fields: Readonly<Record<string, unknown>>, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

export function logContext(): Readonly<Record<string, unknown>> | undefined {
  return context.getStore();
}
