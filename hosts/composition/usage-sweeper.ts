import type { CorePorts } from '../../core/context.js';
import { resolveExpiredHolds, SWEEP_BATCH } from '../../core/usage/settle-usage.js';

/** Counters are kept a month past their window (refusal counts feed the dashboard); then they go. */
const COUNTER_RETENTION_MS = 32 * 86_400_000;

/**
 * Resolves expired usage reservations (crash between reservation and send) and prunes old limit
 * counters, on an interval. One run at a time.
 */
export class UsageSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly ports: () => CorePorts, private readonly intervalMs: number) {}

  start(): void {
    if (!this.ports().settings.usage.enabled) return;
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    const ports = this.ports();
    try {
      while ((await resolveExpiredHolds(ports)) === SWEEP_BATCH);
      await ports.db.usage.pruneCounters(new Date(ports.clock.now().getTime() - COUNTER_RETENTION_MS));
    } catch (err) {
      ports.logger.error({ err }, 'usage sweep failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
