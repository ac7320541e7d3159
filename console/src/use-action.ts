import { useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Action<T> {
  busy: boolean;
  error: ApiError | Error | null;
  result: T | null;
  run: (work: () => Promise<T>) => Promise<T | null>;
  reset: () => void;
}

/** One form's submission: busy while it runs, then its result or its error (shown by <Problem>). */
export function useAction<T>(): Action<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [result, setResult] = useState<T | null>(null);
  const run = async (work: () => Promise<T>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      const value = await work();
      setResult(value);
      return value;
    } catch (err) {
      setResult(null);
      setError(err instanceof Error ? err : new Error(String(err)));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, result, run, reset: () => { setError(null); setResult(null); } };
}

/** The input an error is about (details.field of INVALID_INPUT and friends), to mark it invalid. */
export function fieldOf(error: ApiError | Error | null): string | null {
  return error instanceof ApiError && typeof error.details.field === 'string' ? error.details.field : null;
}
