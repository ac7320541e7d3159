import { isDomainError } from '../../ports/errors.js';
import type { Metrics } from '../../ports/metrics.js';

/** Lifecycle and dispatch helpers, not provider calls. */
const UNTIMED = new Set<PropertyKey>(['close', 'signedBy', 'constructor', 'then']);

/**
 * The adapter with every provider call timed and counted (outcome `ok` or the error code) and every
 * webhook signature check counted by result, so neither core nor the adapters know about metrics.
 * Synchronous methods (parsers) and streams pass through untouched: only promise-returning calls are timed.
 */
export function meteredAdapter<T extends object>(port: string, adapter: string, target: T, metrics: Metrics): T {
  return new Proxy(target, {
    get(object, key) {
      // The target itself as receiver: getters that read private fields (#x) fail on a proxy.
      const value: unknown = Reflect.get(object, key);
      if (typeof value !== 'function' || UNTIMED.has(key) || typeof key !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (key === 'verifyWebhook') {
        return (...args: unknown[]) => {
          const valid = method.apply(object, args) as boolean;
          metrics.webhookVerification(port, valid ? 'valid' : 'invalid');
          return valid;
        };
      }
      return (...args: unknown[]) => {
        const started = performance.now();
        const result = method.apply(object, args);
        if (!(result instanceof Promise)) return result;
        const done = (outcome: string) => metrics.providerCall(port, adapter, key, outcome, (performance.now() - started) / 1000);
        return result.then(
          (ok: unknown) => {
            done('ok');
            return ok;
          },
          (err: unknown) => {
            done(isDomainError(err) ? err.code : 'INTERNAL');
            throw err;
          },
        );
      };
    },
  });
}
