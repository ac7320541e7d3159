import type { CorePorts } from '../../core/context.js';
import { recoverStuckSends } from '../../core/recovery/recover-stuck-sends.js';

/**
 * Settles sends cut short by a crash (see core/recovery): once at start-up, then on an interval, since another
 * server on the same database may crash at any time. One run at a time.
 */
export class StuckSendRecovery {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly ports: () => CorePorts, private readonly settings: { stuckAfterSeconds: number; intervalSeconds: number }) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.settings.intervalSeconds * 1000);
    this.timer.unref();
    this.kick();
  }

  private kick(): void {
    this.running ??= this.run().finally(() => (this.running = undefined));
  }

  async run(): Promise<void> {
    const ports = this.ports();
    try {
      const stuckBefore = new Date(ports.clock.now().getTime() - this.settings.stuckAfterSeconds * 1000);
      const report = await recoverStuckSends(ports, stuckBefore);
      if (report.calls > 0 || Object.keys(report.messages).length > 0) ports.logger.warn({ ...report }, 'settled sends left unanswered by a stopped server');
    } catch (err) {
      ports.logger.error({ err }, 'recovery of stuck sends failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
