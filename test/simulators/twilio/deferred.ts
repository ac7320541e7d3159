/** A promise settled from outside, once: later settlements are ignored. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  readonly settled: boolean;
}

export function deferred<T>(): Deferred<T> {
  let settle: (value: T) => void = () => {};
  let settled = false;
  const promise = new Promise<T>((resolve) => { settle = resolve; });
  return {
    promise,
    get settled() {
      return settled;
    },
    resolve(value: T) {
      if (settled) return;
      settled = true;
      settle(value);
    },
  };
}
