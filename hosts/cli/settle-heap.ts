import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor' }) => void;

/** How long after ready the server is assumed idle enough for V8 to shrink its young generation. */
const SETTLE_AFTER_MS = 2_000;

/**
 * Gives back what start-up used (issue 13: idle RSS). Start-up allocates tens of MB that mostly live on, so V8
 * sizes its young generation for that rate (16 MB semi-spaces, ≈15 MB of RSS) and keeps it: V8 shrinks it at
 * a collection only when allocation since the previous one was slow, and its memory reducer, which would,
 * runs only after ~30 s. Here: a young collection at ready (start-up's own garbage, so that the next one
 * measures the idle rate), then a full one shortly after, at which an idle server's young generation shrinks
 * (a busy one keeps its size: V8 decides). Once per process; `gc` comes from a fresh context, so the server's
 * own global scope does not gain one.
 */
export function settleHeapAfterStart(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as Gc;
  gc({ type: 'minor' });
  setTimeout(() => gc({ type: 'major' }), SETTLE_AFTER_MS).unref();
}
