import { CALLBACK_BATCH_SIZE, deliverDueCallbacks } from '../../core/callbacks/deliver-callbacks.js';
import type { CorePorts } from '../../core/context.js';

/**
 * Runs the callback outbox: soon after each inbound event (kick), and on an interval for retries.
 * One run at a time; a kick during a run schedules one more run right after it.
 */
export class CallbackScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly ports: () => CorePorts, private readonly intervalMs: number) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      // Keep going while full batches come back: a burst of inbound events is flushed in one go.
      while (!this.stopped && (await deliverDueCallbacks(this.ports())) === CALLBACK_BATCH_SIZE);
    } catch (err) {
      this.ports().logger.error({ err }, 'callback delivery run failed');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
