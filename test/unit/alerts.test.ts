import { describe, expect, it } from 'vitest';
import { AlertManager } from '../../core/alerts/alert-manager.js';
import type { AnomalySettings } from '../../core/alerts/alert-settings.js';
import { AlertTriggers } from '../../core/alerts/alert-triggers.js';
import { AnomalyDetector } from '../../core/alerts/anomaly-detector.js';
import { EventWindow } from '../../core/alerts/event-window.js';
import { silentLogger } from '../../adapters/node/pino-logger.js';
import type { Alert, AlertSink, Alerts } from '../../ports/alerts.js';
import { FakeClock } from '../support/fake-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function collecting(): Alerts & { raised: Array<Omit<Alert, 'at'>> } {
  const raised: Array<Omit<Alert, 'at'>> = [];
  return { raised, raise: (alert) => raised.push(alert) };
}

describe('alert manager', () => {
  const sink = (name: string, fail = false): AlertSink & { got: Alert[] } => {
    const got: Alert[] = [];
    return { name, got, deliver: async (alert) => { if (fail) throw new Error('down'); got.push(alert); } };
  };

  it('routes by severity, drops duplicates within the window and keys over their hourly rate, and survives a failing sink', async () => {
    const clock = new FakeClock(new Date('2026-11-30T10:00:00Z'));
    const [log, mail, broken] = [sink('log'), sink('email'), sink('webhook', true)];
    const manager = new AlertManager(
      { routes: { CRITICAL: ['log', 'email', 'webhook'], HIGH: ['email'], MEDIUM: ['log'], LOW: [] }, dedupSeconds: 600, maxPerKeyPerHour: 2 },
      new Map([log, mail, broken].map((s) => [s.name, s])), clock, silentLogger(),
    );
    const raise = (key: string, severity: Alert['severity']) => manager.raise({ trigger: 't', key, severity, summary: key, details: {} });
    raise('a', 'CRITICAL');
    raise('a', 'CRITICAL'); // duplicate
    raise('b', 'HIGH');
    raise('c', 'MEDIUM');
    raise('d', 'LOW');
    await manager.settled();
    expect(log.got.map((a) => a.key)).toEqual(['a', 'c']);
    expect(mail.got.map((a) => a.key)).toEqual(['a', 'b']);
    clock.advance(11 * MINUTE);
    raise('a', 'CRITICAL'); // past the duplicate window: the second of the hour
    clock.advance(11 * MINUTE);
    raise('a', 'CRITICAL'); // third within the hour: over the rate
    clock.advance(HOUR);
    raise('a', 'CRITICAL');
    await manager.settled();
    expect(log.got.filter((a) => a.key === 'a').map((a) => a.at.toISOString())).toEqual(['2026-11-30T10:00:00.000Z', '2026-11-30T10:11:00.000Z', '2026-11-30T11:22:00.000Z']);
  });

  it('keeps the alerts it raised, newest first, without the duplicates it dropped, for the console', () => {
    const manager = new AlertManager({ routes: { CRITICAL: [], HIGH: [], MEDIUM: [], LOW: [] }, dedupSeconds: 600, maxPerKeyPerHour: 5 }, new Map(), new FakeClock(new Date('2026-11-30T10:00:00Z')), silentLogger());
    for (const key of ['a', 'a', 'b', 'c']) manager.raise({ trigger: 't', key, severity: 'LOW', summary: key, details: {} });
    expect(manager.recent(2).map((a) => a.key)).toEqual(['c', 'b']);
    expect(manager.recent(10).map((a) => a.key)).toEqual(['c', 'b', 'a']);
  });
});

describe('operational triggers', () => {
  const settings = { providerOutage: { windowSeconds: 300, minCalls: 4, errorRatePercent: 50 }, webhookSignatureFailures: { windowSeconds: 60, count: 3 }, outboxBacklogSeconds: 900 };

  it('judges a provider\'s error rate only over its window and with enough calls', () => {
    const clock = new FakeClock(new Date('2026-11-30T10:00:00Z'));
    const alerts = collecting();
    const triggers = new AlertTriggers(alerts, settings, clock);
    triggers.providerOutcome('twilio', 'PROVIDER_UNAVAILABLE');
    triggers.providerOutcome('twilio', 'PROVIDER_TIMEOUT');
    triggers.providerOutcome('twilio', null);
    expect(alerts.raised).toEqual([]); // 3 calls: too few to judge
    clock.advance(6 * MINUTE); // the failures leave the window
    for (let i = 0; i < 3; i++) triggers.providerOutcome('twilio', null);
    triggers.providerOutcome('twilio', 'INVALID_PHONE_NUMBER'); // a refusal, not an outage
    expect(alerts.raised).toEqual([]);
    triggers.providerOutcome('vonage', 'PROVIDER_UNAVAILABLE');
    triggers.providerOutcome('vonage', null);
    triggers.providerOutcome('vonage', 'PROVIDER_UNAVAILABLE');
    triggers.providerOutcome('vonage', null);
    expect(alerts.raised).toEqual([expect.objectContaining({ trigger: 'provider-outage', key: 'provider-outage:vonage', details: { provider: 'vonage', calls: 4, failures: 2, windowSeconds: 300 } })]);
  });

  it('raises on an authentication failure at once, on a signature burst within its window, on an old outbox entry', () => {
    const clock = new FakeClock(new Date('2026-11-30T10:00:00Z'));
    const alerts = collecting();
    const triggers = new AlertTriggers(alerts, settings, clock);
    triggers.providerOutcome('resend', 'PROVIDER_AUTH_FAILED');
    expect(alerts.raised[0]).toMatchObject({ trigger: 'provider-auth', severity: 'CRITICAL', key: 'provider-auth:resend' });
    triggers.webhookSignatureFailed('sms');
    triggers.webhookSignatureFailed('sms');
    clock.advance(2 * MINUTE);
    triggers.webhookSignatureFailed('email');
    expect(alerts.raised.filter((a) => a.trigger === 'webhook-signatures')).toEqual([]);
    triggers.webhookSignatureFailed('email');
    triggers.webhookSignatureFailed('email');
    expect(alerts.raised.filter((a) => a.trigger === 'webhook-signatures')).toHaveLength(1);
    triggers.outboxBacklog(899, 'agt_1');
    triggers.outboxBacklog(901, 'agt_1');
    expect(alerts.raised.filter((a) => a.trigger === 'outbox-backlog')).toEqual([expect.objectContaining({ severity: 'MEDIUM', details: { ageSeconds: 901, agentId: 'agt_1' } })]);
  });
});

describe('anomaly detector', () => {
  const settings: AnomalySettings = {
    suspend: true,
    sendVolume: { factor: 3, minimum: 10, baselineHours: 4 },
    newContacts: { windowSeconds: 600, count: 5 },
    refusals: { windowSeconds: 600, count: 3 },
    tokenRotations: { windowSeconds: 3600, count: 2 },
  };

  function detector(clock: FakeClock, overrides: Partial<AnomalySettings> = {}) {
    const alerts = collecting();
    const suspended: Array<{ agentId: string; finding: unknown }> = [];
    const agents = { update: async (agentId: string, patch: { sendingSuspended?: string | null }) => void suspended.push({ agentId, finding: patch.sendingSuspended }) };
    return { alerts, suspended, detector: new AnomalyDetector({ ...settings, ...overrides }, { alerts, agents, clock, logger: silentLogger() }) };
  }

  it('flags send volume far above the agent\'s own baseline, not a steady high volume', async () => {
    const clock = new FakeClock(new Date('2026-11-30T00:00:00Z'));
    const { alerts, suspended, detector: d } = detector(clock);
    // Four hours at 8 an hour: baseline 8. The same contact each time (no new-contact finding).
    for (let h = 0; h < 4; h++) {
      for (let i = 0; i < 8; i++) await d.observeSend('agt_steady', ['h']);
      clock.advance(HOUR);
    }
    for (let i = 0; i < 24; i++) await d.observeSend('agt_steady', ['h']); // 3 × 8: not above
    expect(alerts.raised).toEqual([]);
    await d.observeSend('agt_steady', ['h']); // 25 > 24
    expect(alerts.raised).toEqual([expect.objectContaining({ trigger: 'anomaly', severity: 'HIGH', key: 'anomaly:send-volume:agt_steady' })]);
    expect(suspended).toContainEqual({ agentId: 'agt_steady', finding: 'send-volume' });
  });

  it('flags many new contacts in a short time, bursts of refusals and rapid token rotation', async () => {
    const clock = new FakeClock(new Date('2026-11-30T00:00:00Z'));
    // Volume out of the way: these few sends are not what is judged here.
    const { alerts, detector: d } = detector(clock, { sendVolume: { factor: 3, minimum: 1000, baselineHours: 4 } });
    for (let i = 0; i < 4; i++) await d.observeSend('agt_a', [`c${i}`]);
    await d.observeSend('agt_a', ['c0']); // known: not new
    clock.advance(11 * MINUTE); // the first four leave the window
    await d.observeSend('agt_a', ['c9']);
    expect(alerts.raised.map((a) => a.key)).toEqual([]);
    for (let i = 10; i < 14; i++) await d.observeSend('agt_a', [`c${i}`]);
    expect(alerts.raised.map((a) => a.key)).toEqual(['anomaly:new-contacts:agt_a']);
    for (let i = 0; i < 3; i++) await d.observeRefusal('agt_b');
    await d.observeTokenRotation('agt_c');
    clock.advance(30 * MINUTE);
    await d.observeTokenRotation('agt_c');
    expect(alerts.raised.map((a) => a.key)).toEqual(['anomaly:new-contacts:agt_a', 'anomaly:refusals:agt_b', 'anomaly:token-rotations:agt_c']);
    d.forget('agt_b');
    await d.observeRefusal('agt_b');
    expect(alerts.raised).toHaveLength(3);
  });
});

describe('event window', () => {
  it('counts the events of the last window per key, drops those that left it, and forgets an empty key', () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    const window = new EventWindow(clock, () => 10 * MINUTE);
    // Thousands of events (every send of an agent): the live part stays right across the compaction of the front.
    for (let i = 0; i < 3000; i++) {
      expect(window.add('agt_a')).toBe(Math.min(i + 1, 600));
      clock.advance(1000);
    }
    expect(window.count('agt_a')).toBe(599); // a second has passed since the last one
    expect(window.add('agt_b')).toBe(1);
    clock.advance(10 * MINUTE); // exactly one window later: agt_b's event is out (an event at the boundary has left)
    expect(window.count('agt_b')).toBe(0);
    expect(window.count('agt_a')).toBe(0);
    expect(window.add('agt_a')).toBe(1);
  });

  it('keeps the count right when the clock goes back', () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    const window = new EventWindow(clock, () => 10 * MINUTE);
    window.add('k');
    clock.advance(5 * MINUTE);
    window.add('k');
    clock.advance(-4 * MINUTE);
    expect(window.add('k')).toBe(3);
    clock.advance(10 * MINUTE); // 11 min after the first, 10 after the third, 6 after the second
    expect(window.count('k')).toBe(1);
  });
});
