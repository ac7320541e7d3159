import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobCounts } from '../../ports/jobs.js';
import type { Metrics } from '../../ports/metrics.js';

/** Values read when Prometheus scrapes, rather than counted as they happen. */
export interface ScrapeSources {
  liveCalls(): number;
  /** Pending callback deliveries and the age of the oldest, in seconds (0 when none). */
  outbox(): Promise<{ pending: number; oldestAgeSeconds: number }>;
  /** Runs of each background job by state (across every server on a shared queue). */
  jobs(): Promise<JobCounts[]>;
}

const JOB_STATES = { queued: 'queued', active: 'active', failed: 'failed', dead_lettered: 'deadLettered' } as const;

/**
 * The metrics port over prom-client, on a registry of its own (not the global one), so two servers in
 * one process (tests) never share counters. `GET /metrics` serves `render()`.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'channel' | 'direction' | 'status'>;
  private readonly providerCalls: Counter<'port' | 'adapter' | 'method' | 'outcome'>;
  private readonly providerLatency: Histogram<'port' | 'adapter' | 'method'>;
  private readonly webhooks: Counter<'port' | 'result'>;
  private readonly tools: Counter<'tool' | 'code'>;
  private readonly refusals: Counter<'kind' | 'rule' | 'code'>;

  constructor(sources: ScrapeSources) {
    const registers = [this.registry];
    // Process CPU, memory, handles, GC and event-loop lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry, prefix: 'agentos_' });
    this.messages = new Counter({ name: 'agentos_messages_total', help: 'Messages that reached a status, by channel, direction and status.', labelNames: ['channel', 'direction', 'status'], registers });
    this.providerCalls = new Counter({ name: 'agentos_provider_calls_total', help: 'Provider adapter calls by port, adapter, method and outcome (ok or error code).', labelNames: ['port', 'adapter', 'method', 'outcome'], registers });
    this.providerLatency = new Histogram({
      name: 'agentos_provider_call_duration_seconds', help: 'Provider adapter call latency.', labelNames: ['port', 'adapter', 'method'], registers,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.webhooks = new Counter({ name: 'agentos_webhook_verifications_total', help: 'Provider webhook signature checks by port and result.', labelNames: ['port', 'result'], registers });
    this.tools = new Counter({ name: 'agentos_tool_calls_total', help: 'Tool (MCP and REST) calls by tool and outcome code (ok or error code).', labelNames: ['tool', 'code'], registers });
    this.refusals = new Counter({ name: 'agentos_policy_refusals_total', help: 'Outbound actions refused by the pre-send policy, by kind (limit, compliance), rule and code.', labelNames: ['kind', 'rule', 'code'], registers });
    new Gauge({
      name: 'agentos_live_calls', help: 'Live calls whose voice socket is open on this server.', registers,
      collect() { this.set(sources.liveCalls()); },
    });
    // prom-client collects every metric of a scrape concurrently: both outbox gauges share one query.
    let reading: Promise<{ pending: number; oldestAgeSeconds: number }> | null = null;
    const readOutbox = () => (reading ??= sources.outbox().finally(() => (reading = null)));
    new Gauge({
      name: 'agentos_callback_outbox_pending', help: 'Callback deliveries waiting to be delivered to agents.', registers,
      async collect() { this.set((await readOutbox()).pending); },
    });
    new Gauge({
      name: 'agentos_callback_outbox_oldest_age_seconds', help: 'Age of the oldest pending callback delivery (0 when none).', registers,
      async collect() { this.set((await readOutbox()).oldestAgeSeconds); },
    });
    new Gauge({
      name: 'agentos_background_jobs', help: 'Background job runs by job and state (queued, active, failed, dead_lettered).', labelNames: ['job', 'state'], registers,
      async collect() {
        this.reset();
        for (const job of await sources.jobs()) {
          for (const [state, key] of Object.entries(JOB_STATES)) this.set({ job: job.name, state }, job[key]);
        }
      },
    });
  }

  message(channel: string, direction: 'inbound' | 'outbound', status: string): void {
    this.messages.inc({ channel, direction, status });
  }

  providerCall(port: string, adapter: string, method: string, outcome: string, seconds: number): void {
    this.providerCalls.inc({ port, adapter, method, outcome });
    this.providerLatency.observe({ port, adapter, method }, seconds);
  }

  webhookVerification(port: string, result: 'valid' | 'invalid'): void {
    this.webhooks.inc({ port, result });
  }

  toolCall(tool: string, code: string): void {
    this.tools.inc({ tool, code });
  }

  refusal(kind: 'limit' | 'compliance', rule: string, code: string): void {
    this.refusals.inc({ kind, rule, code });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
