import type { Alert, AlertSink, Alerts } from '../../ports/alerts.js';
import type { Clock, Logger } from '../../ports/runtime.js';
import type { AlertSettings } from './alert-settings.js';
import { EventWindow } from './event-window.js';

const HOUR_MS = 3_600_000;
/** How many raised alerts are kept in memory for the console (per process, lost on restart). */
const KEPT = 50;

/**
 * Routes each alert by severity to the configured sinks, once per key per `dedupSeconds` and at most
 * `maxPerKeyPerHour` times an hour. Delivery runs in the background: a failing sink is logged and the
 * others still get the alert; the action that raised it never waits or fails.
 */
export class AlertManager implements Alerts {
  private readonly lastDelivered = new Map<string, number>();
  private readonly perHour: EventWindow;
  private readonly pending = new Set<Promise<void>>();
  private readonly kept: Alert[] = [];

  constructor(
    private readonly settings: Pick<AlertSettings, 'routes' | 'dedupSeconds' | 'maxPerKeyPerHour'>,
    private readonly sinks: ReadonlyMap<string, AlertSink>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.perHour = new EventWindow(clock, () => HOUR_MS);
  }

  raise(raised: Omit<Alert, 'at'>): void {
    const alert: Alert = { ...raised, at: this.clock.now() };
    const now = alert.at.getTime();
    const last = this.lastDelivered.get(alert.key);
    if (last !== undefined && now - last < this.settings.dedupSeconds * 1000) return;
    if (this.perHour.count(alert.key) >= this.settings.maxPerKeyPerHour) {
      this.logger.debug({ key: alert.key }, 'alert over its hourly rate: dropped');
      return;
    }
    this.lastDelivered.set(alert.key, now);
    this.perHour.add(alert.key);
    this.kept.unshift(alert);
    this.kept.length = Math.min(this.kept.length, KEPT);
    for (const name of this.settings.routes[alert.severity]) {
      const sink = this.sinks.get(name);
      if (!sink) continue;
      const delivery = sink.deliver(alert).catch((err: unknown) => {
        this.logger.error({ sink: name, key: alert.key, err: (err as Error).message }, 'alert delivery failed');
      });
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  recent(limit: number): Alert[] {
    return this.kept.slice(0, limit);
  }

  /** Resolves when every delivery started so far has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
