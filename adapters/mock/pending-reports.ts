/**
 * Reports a demo provider will push later, on unref'd timers: demo mode never keeps the process alive,
 * and closing the adapter cancels whatever is still due.
 */
export class PendingReports {
  private readonly timers = new Set<NodeJS.Timeout>();

  later(delayMs: number, report: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      report();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
