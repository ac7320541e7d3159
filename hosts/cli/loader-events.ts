/**
 * What the built CLI's loader (scripts/build/server-loader.mjs) listens for on `process`; from sources
 * (tsx) nobody listens, and emitting does nothing.
 */

/** `serve` answers: the code cache of what a start compiled can be written. */
export const SERVE_READY_EVENT = 'agentos-comms:ready';

/** A long-running command (`serve`, `stdio`) has started: V8's young generation may grow again. */
export const STARTED_EVENT = 'agentos-comms:started';

export function announce(event: typeof SERVE_READY_EVENT | typeof STARTED_EVENT): void {
  (process as NodeJS.EventEmitter).emit(event);
}
