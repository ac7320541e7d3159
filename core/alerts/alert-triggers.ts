import type { Alerts } from '../../ports/alerts.js';
import type { Clock } from '../../ports/runtime.js';
import type { AlertSettings } from './alert-settings.js';
import { EventWindow } from './event-window.js';

/** Provider errors that say the provider could not be reached or did not answer (an outage), not that it refused. */
const OUTAGE_CODES = new Set(['PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT']);

/**
 * The operational alert triggers, fed by core where the events happen: provider calls (authentication
 * failures, error rate over a window), webhook signature failures (a burst), the callback outbox's backlog.
 */
export class AlertTriggers {
  private readonly calls: EventWindow;
  private readonly failures: EventWindow;
  private readonly signatures: EventWindow;

  constructor(private readonly alerts: Alerts, private readonly settings: AlertSettings['triggers'], clock: Clock) {
    this.calls = new EventWindow(clock, () => settings.providerOutage.windowSeconds * 1000);
    this.failures = new EventWindow(clock, () => settings.providerOutage.windowSeconds * 1000);
    this.signatures = new EventWindow(clock, () => settings.webhookSignatureFailures.windowSeconds * 1000);
  }

  /** The outcome of one provider call: null for success, else the error code. */
  providerOutcome(provider: string, code: string | null): void {
    if (code === 'PROVIDER_AUTH_FAILED') {
      this.alerts.raise({
        trigger: 'provider-auth', key: `provider-auth:${provider}`, severity: 'CRITICAL',
        summary: `${provider} refused our credentials: nothing is sent through it until they are fixed.`, details: { provider },
      });
    }
    const calls = this.calls.add(provider);
    const failures = code !== null && OUTAGE_CODES.has(code) ? this.failures.add(provider) : this.failures.count(provider);
    const { minCalls, errorRatePercent, windowSeconds } = this.settings.providerOutage;
    if (calls >= minCalls && failures * 100 >= errorRatePercent * calls) {
      this.alerts.raise({
        trigger: 'provider-outage', key: `provider-outage:${provider}`, severity: 'HIGH',
        summary: `${provider} failed ${failures} of ${calls} calls in ${windowSeconds} s.`, details: { provider, calls, failures, windowSeconds },
      });
    }
  }

  /** A webhook whose signature did not verify (`source`: the route's channel). */
  webhookSignatureFailed(source: string): void {
    const { count, windowSeconds } = this.settings.webhookSignatureFailures;
    const seen = this.signatures.add('all');
    if (seen >= count) {
      this.alerts.raise({
        trigger: 'webhook-signatures', key: 'webhook-signatures', severity: 'HIGH',
        summary: `${seen} webhooks with a bad signature in ${windowSeconds} s (last on ${source}): forged requests, or a provider secret out of date.`,
        details: { failures: seen, windowSeconds, source },
      });
    }
  }

  /** The oldest forward still waiting in the callback outbox was created `ageSeconds` ago. */
  outboxBacklog(ageSeconds: number, agentId: string): void {
    if (ageSeconds < this.settings.outboxBacklogSeconds) return;
    this.alerts.raise({
      trigger: 'outbox-backlog', key: 'outbox-backlog', severity: 'MEDIUM',
      summary: `A forward to an agent has waited ${Math.round(ageSeconds)} s in the callback outbox.`, details: { ageSeconds: Math.round(ageSeconds), agentId },
    });
  }
}
