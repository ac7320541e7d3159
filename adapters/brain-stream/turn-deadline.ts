/** Which wait ran out: the one for the first token, or the one between two tokens. */
export interface TurnTimeout {
  phase: 'first-token' | 'idle';
  afterMs: number;
}

export interface TurnLimits {
  /** Longest wait for the first token, from the moment the turn starts. */
  timeoutMs: number;
  /** Longest wait between two tokens once the reply is flowing. */
  idleTimeoutMs: number;
}

/**
 * The cancellation of one brain turn. Upstream requests get `signal`, which aborts when the caller's signal
 * aborts, when a deadline passes, or when the turn is released early; `stopped` resolves at the first two, so
 * a reader never waits on a library that is slow to notice an abort.
 */
export class TurnDeadline {
  /** Set when a deadline passed (and the upstream request was aborted because of it). */
  timedOut: TurnTimeout | null = null;
  readonly stopped: Promise<void>;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stop: () => void = () => {};
  private readonly onCallerAbort = () => this.halt();

  constructor(
    private readonly caller: AbortSignal,
    private readonly limits: TurnLimits,
  ) {
    this.stopped = new Promise<void>((resolve) => {
      this.stop = resolve;
    });
    if (caller.aborted) this.halt();
    else {
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
      this.arm({ phase: 'first-token', afterMs: limits.timeoutMs });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The caller gave up on the turn (interruption, hang-up): not a failure. */
  get callerAborted(): boolean {
    return this.caller.aborted;
  }

  /** A token arrived: from now on the idle deadline applies. */
  tokenArrived(): void {
    if (this.controller.signal.aborted) return;
    this.arm({ phase: 'idle', afterMs: this.limits.idleTimeoutMs });
  }

  /** The turn is over, however it ended: cancel whatever upstream work is still open and drop the timers. */
  release(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
    if (!this.controller.signal.aborted) this.controller.abort(abortError('The brain turn ended.'));
  }

  private arm(timeout: TurnTimeout): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = timeout;
      this.halt();
    }, timeout.afterMs);
  }

  private halt(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) this.controller.abort(abortError('The brain turn was stopped.'));
    this.stop();
  }
}

/** Fetch implementations and SDKs recognise an abort by this name. */
function abortError(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}
