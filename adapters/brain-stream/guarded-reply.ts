import type { DomainError } from '../../ports/errors.js';
import { TurnDeadline, type TurnLimits, type TurnTimeout } from './turn-deadline.js';

export interface GuardedReplyOptions extends TurnLimits {
  /** The caller's signal: when it aborts, the reply ends quietly (an interruption is not a failure). */
  signal: AbortSignal;
  /** Starts the upstream request; it must stop when `signal` aborts. Yields text as it arrives. */
  open(signal: AbortSignal): AsyncIterable<string>;
  /** Any failure of the upstream work, as the DomainError the brain port documents. */
  toDomainError(err: unknown): DomainError;
  /** The PROVIDER_TIMEOUT for a deadline that passed. */
  timeoutError(timeout: TurnTimeout): DomainError;
}

const STOP = Symbol('stop');

/**
 * The shared shape of every network brain's `reply`: text chunks in order; a quiet end when the caller aborts;
 * PROVIDER_TIMEOUT when the first token or the next one is late (the upstream request is aborted then); and
 * the upstream request cancelled whenever the turn ends early, including when the consumer stops reading.
 */
export async function* guardedReply(options: GuardedReplyOptions): AsyncGenerator<string, void, undefined> {
  // An interruption that came before the turn started costs no request at all.
  if (options.signal.aborted) return;
  const deadline = new TurnDeadline(options.signal, options);
  const stop = deadline.stopped.then((): typeof STOP => STOP);
  let iterator: AsyncIterator<string> | null = null;
  let finished = false;
  try {
    iterator = options.open(deadline.signal)[Symbol.asyncIterator]();
    for (;;) {
      // Racing the deadline means a library that notices aborts late cannot hold the caller up.
      const step = await Promise.race([iterator.next(), stop]);
      if (step === STOP) break;
      if (step.done) {
        finished = true;
        break;
      }
      if (step.value.length === 0) continue;
      deadline.tokenArrived();
      yield step.value;
    }
  } catch (err) {
    if (deadline.callerAborted) return;
    if (deadline.timedOut) throw options.timeoutError(deadline.timedOut);
    throw options.toDomainError(err);
  } finally {
    deadline.release();
    // Not awaited: the source may only settle once its aborted request unwinds.
    if (!finished && iterator?.return) iterator.return().then(undefined, () => {});
  }
  // SDKs end their streams silently when aborted, so the reason is read here rather than from an error.
  if (deadline.callerAborted) return;
  if (deadline.timedOut) throw options.timeoutError(deadline.timedOut);
}
