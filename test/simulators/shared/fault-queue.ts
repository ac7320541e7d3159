/** A failure the simulator plays instead of answering normally. */
export type SimulatedFault =
  | { kind: 'fail'; status: number; retryAfterSeconds?: number }
  | { kind: 'hang' }
  | { kind: 'drop' };

/** Faults are consumed one per incoming API request, in the order they were armed. */
export class FaultQueue {
  private readonly armed: { fault: SimulatedFault; remaining: number }[] = [];

  add(fault: SimulatedFault, times = 1): void {
    if (times > 0) this.armed.push({ fault, remaining: times });
  }

  take(): SimulatedFault | null {
    const head = this.armed[0];
    if (!head) return null;
    head.remaining -= 1;
    if (head.remaining <= 0) this.armed.shift();
    return head.fault;
  }

  clear(): void {
    this.armed.length = 0;
  }
}
