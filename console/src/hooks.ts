import { useEffect, useState } from 'preact/hooks';
import { describeError } from './api.js';

export interface Polled<T> { data: T | null; error: string | null; updatedAt: Date | null }

/** Loads `load` now and every `everyMs` while mounted: the dashboard's live updates. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []): Polled<T> & { refresh: () => void } {
  const [state, setState] = useState<Polled<T>>({ data: null, error: null, updatedAt: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (data) => live && setState({ data, error: null, updatedAt: new Date() }),
        (err: unknown) => live && setState((s) => ({ ...s, error: describeError(err) })),
      );
    void run();
    const timer = setInterval(run, everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tick, ...deps]);
  return { ...state, refresh: () => setTick((t) => t + 1) };
}
