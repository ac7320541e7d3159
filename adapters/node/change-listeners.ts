import type { Logger } from '../../ports/runtime.js';

/**
 * Listeners told that something changed. One listener failing does not keep the others from hearing it;
 * the same function added twice is two subscriptions, each removed by its own returned function.
 */
export class ChangeListeners {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly logger: Logger, private readonly what: string) {}

  add(listener: () => void): () => void {
    const wrapped = () => listener();
    this.listeners.add(wrapped);
    return () => void this.listeners.delete(wrapped);
  }

  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logger.warn({ err }, `${this.what} listener failed`);
      }
    }
  }
}
