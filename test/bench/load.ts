/**
 * The bench's load (run.ts and its suites): comms_send_message over MCP Streamable HTTP and signed inbound SMS
 * webhooks, driven by autocannon, each request tracked by index so that what the server acknowledged can be
 * checked against what it stored.
 */
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import { MCP_PROTOCOL, openMcpSession } from './bench-server.js';

export const SENDS = Number(process.env.BENCH_SENDS ?? 20_000);
export const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 50_000);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** The concurrency of the send target. */
export const TARGET_CONNECTIONS = 32;
export const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

/** Shedding would answer 503 on a loaded machine and blur what is measured: off in every run. */
export const NO_SHEDDING = { loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0 };
/** No limit of any kind: no usage limits, no per-IP request limits, no lockout, no shedding. */
export const LIMITS_OFF = { usage: { enabled: false }, security: { rateLimits: Object.fromEntries(['global', 'mcp', 'api', 'webhooks', 'admin'].map((g) => [g, { requests: 0 }])), lockout: { enabled: false }, ...NO_SHEDDING } };
/** A limit far from reach. */
export const GENEROUS = 1_000_000_000;
/** Usage limits on, far from reached: every limit type configured, so every send claims all its counters. */
export const USAGE_FAR_FROM_REACH = {
  defaultTier: 'bench',
  tiers: {
    bench: {
      markupPercent: 20,
      actions: { sms: { perMinute: GENEROUS, perHour: GENEROUS, perDay: GENEROUS } },
      spend: { perDay: '1000000', perMonth: '10000000' },
      perContact: { messagesPerDay: 1000, callsPerDay: 1000 },
    },
  },
};

export interface Result { name: string; requestsPerSecond: number; p50: number; p99: number; ok: number; errors: number; timeouts: number; non2xx: number; cpuMsPerRequest?: number }

/**
 * Which requests (by index) the server acknowledged: 2xx, and for a tool call not an error result. autocannon counts
 * requests made, not answered: when a connection closes with a request unanswered it connects again and moves on,
 * without an error; that request is neither acknowledged nor counted anywhere else.
 */
export interface Tracked extends Result { acknowledged: Set<number> }

/**
 * One autocannon run of `amount` requests. Its `duration` is replaced by the run's own wall time: with a fixed
 * amount, autocannon ends the run on its once-a-second tick, so its duration is nearly a whole number of seconds
 * and a 6 s run could not tell 500/s from 430/s.
 */
function run(options: autocannon.Options, amount: number, connections = CONNECTIONS): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    let lastAnswer = 0;
    const started = performance.now();
    const instance = autocannon({ ...options, amount, connections }, (err, result) => {
      if (err) reject(err);
      else resolve({ ...result, duration: ((lastAnswer || performance.now()) - started) / 1000 });
    });
    instance.on('response', () => { lastAnswer = performance.now(); });
  });
}

export interface SendLoad {
  url: string;
  token: string;
  cpuSeconds: () => number;
  connections?: number;
  count?: number;
  /** Scrape /metrics once a second, as Prometheus would. */
  scrape?: boolean;
  /** MCP sessions the sends take turns on (default 1): behind a balancer, sessions served by every instance. */
  sessions?: number;
  /** Each send carries the idempotency key `<prefix><index>`, so that a send retried on another instance is stored once. */
  keyPrefix?: string;
  /** Called after each answer with the number answered so far (to kill an instance midway). */
  onAnswer?: (answered: number) => void;
}

export async function benchSends(load: SendLoad): Promise<Tracked> {
  const { url, token, cpuSeconds, connections = CONNECTIONS, count = SENDS, scrape = false, keyPrefix } = load;
  const sessionIds: string[] = [];
  for (let s = 0; s < (load.sessions ?? 1); s++) sessionIds.push(await openMcpSession(url, token));
  // Bodies are built before the clock starts, so the load generator spends its CPU on sending.
  const bodies = Array.from({ length: count }, (_, i) => sendBody(i, keyPrefix));
  let next = 0;
  let answered = 0;
  let toolErrors = 0;
  // One request at a time per connection, so the connection's context names the send its answer is for.
  const acknowledged = new Set<number>();
  const cpuBefore = cpuSeconds();
  let scrapes = 0;
  const scraper = scrape
    ? setInterval(() => {
      fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
        .then(async (res) => {
          await res.text();
          if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
          scrapes++;
        })
        .catch((err: unknown) => console.error(err));
    }, 1000)
    : undefined;
  const result = await run({
    url: `${url}/mcp`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MCP_PROTOCOL },
    requests: [{
      setupRequest: (req, context) => {
        const i = next++ % count;
        (context as { send?: number }).send = i;
        return { ...req, body: bodies[i], headers: { ...req.headers, 'mcp-session-id': sessionIds[i % sessionIds.length]! } };
      },
      onResponse: (status, body, context) => {
        if (status === 200 && body.includes('"isError":true')) toolErrors++;
        else if (status === 200) acknowledged.add((context as { send: number }).send);
        load.onAnswer?.(++answered);
      },
    }],
  }, count, connections).finally(() => clearInterval(scraper));
  if (scrape && scrapes === 0) throw new Error('no /metrics scrape succeeded during the run');
  // Server CPU per send: what the server itself spends, much less disturbed by other load than sends/s.
  const cpuMsPerRequest = Math.round(((cpuSeconds() - cpuBefore) * 1e6) / count) / 1e3;
  return { ...summary('comms_send_message over MCP Streamable HTTP', result, toolErrors), cpuMsPerRequest, acknowledged };
}

/** The JSON-RPC tools/call of send `i` (idempotency key `<keyPrefix><i>` when given). */
function sendBody(i: number, keyPrefix: string | undefined): string {
  return JSON.stringify({
    jsonrpc: '2.0', id: i + 1, method: 'tools/call',
    params: {
      name: 'comms_send_message',
      arguments: { channel: 'sms', to: `+1555010${String(i % 10000).padStart(4, '0')}`, body: `bench ${i}`, ...(keyPrefix ? { idempotencyKey: `${keyPrefix}${i}` } : {}) },
    },
  });
}

/**
 * The client's side after a run: each unacknowledged send tried again with its idempotency key (a few at a time,
 * one new MCP session), as the API tells a client to, until it is answered: sent, or a final coded error (the key
 * keeps answering it: PROVIDER_TIMEOUT when the provider may have it). A key still in progress on a killed instance
 * (IDEMPOTENCY_IN_PROGRESS), a 5xx or a dropped connection is tried again, until `deadlineMs`.
 */
export async function retrySends(url: string, token: string, keyPrefix: string, indexes: number[], deadlineMs = 60_000): Promise<{ acknowledged: number; finalErrors: Record<string, number> }> {
  const sessionId = await openMcpSession(url, token);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': MCP_PROTOCOL };
  const deadline = Date.now() + deadlineMs;
  let acknowledged = 0;
  const finalErrors: Record<string, number> = {};
  const queue = [...indexes];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      for (let last = 'UNANSWERED'; ; await new Promise((r) => setTimeout(r, 500))) {
        if (Date.now() > deadline) {
          finalErrors[`still ${last}`] = (finalErrors[`still ${last}`] ?? 0) + 1;
          break;
        }
        const res = await fetch(`${url}/mcp`, { method: 'POST', headers, body: sendBody(i, keyPrefix) }).catch(() => null);
        const text = (await res?.text()) ?? '';
        if (res?.status !== 200) {
          last = res ? `HTTP ${res.status}` : 'UNANSWERED';
          continue;
        }
        if (!text.includes('"isError":true')) {
          acknowledged++;
          break;
        }
        // The tool's error body, JSON inside the result's text: {"error":{"code":"…"}}.
        last = /\\"code\\":\\"([A-Z_]+)\\"/.exec(text)?.[1] ?? 'TOOL_ERROR';
        if (last !== 'IDEMPOTENCY_IN_PROGRESS') {
          finalErrors[last] = (finalErrors[last] ?? 0) + 1;
          break;
        }
      }
    }
  }));
  return { acknowledged, finalErrors };
}

/** The bench's signed inbound webhooks (MessageSid `SMbench<i>`), built before the clock starts: body and headers of each. */
export function signedWebhooks(webhookUrl: string, count = WEBHOOKS): Array<{ body: string; headers: Record<string, string> }> {
  return Array.from({ length: count }, (_, i) => {
    const body = new URLSearchParams({ MessageSid: `SMbench${i}`, From: '+15550100190', To: '+15550100099', Body: `inbound ${i}` }).toString();
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': createHmac('sha256', 'demo-secret').update(webhookUrl + body).digest('hex') } };
  });
}

/** The webhook run, and which webhooks (by index, MessageSid `SMbench<i>`) got a 2xx answer. */
export interface InboundResult extends Tracked { webhookUrl: string; signedWebhookUrl: string }

export interface InboundLoad {
  count?: number;
  /** The base URL the provider signs (the server's public one: a balancer's); by default `url`, where the webhooks go. */
  signedUrl?: string;
  /** Called after each answer with the number answered so far. */
  onAnswer?: (answered: number) => void;
}

export async function benchInbound(url: string, agentId: string, cpuSeconds: () => number, load: InboundLoad = {}): Promise<InboundResult> {
  const { count = WEBHOOKS, signedUrl = url } = load;
  let answered = 0;
  const webhookUrl = `${url}/webhooks/${agentId}/sms`;
  const signedWebhookUrl = `${signedUrl}/webhooks/${agentId}/sms`;
  const signed = signedWebhooks(signedWebhookUrl, count);
  let n = 0;
  // Per webhook, not just a count: a request that timed out at the client may still be stored, so only the
  // MessageSids answered 2xx say what the server promised to keep. One request at a time per connection, so the
  // connection's context names the webhook its answer is for.
  const acknowledged = new Set<number>();
  const cpuBefore = cpuSeconds();
  const result = await run({
    url: webhookUrl,
    method: 'POST',
    requests: [{
      setupRequest: (req, context) => {
        const i = n++ % count;
        (context as { webhook?: number }).webhook = i;
        return { ...req, ...signed[i] };
      },
      onResponse: (status, _body, context) => {
        if (status >= 200 && status < 300) acknowledged.add((context as { webhook: number }).webhook);
        load.onAnswer?.(++answered);
      },
    }],
  }, count);
  const cpuMsPerRequest = Math.round(((cpuSeconds() - cpuBefore) * 1e6) / count) / 1e3;
  return { ...summary('signed inbound SMS webhooks', result, 0), cpuMsPerRequest, acknowledged, webhookUrl, signedWebhookUrl };
}

export function summary(name: string, r: autocannon.Result, toolErrors: number): Result {
  return {
    name,
    requestsPerSecond: Math.round(r['2xx'] / (r.duration || 1)),
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'] - toolErrors,
    errors: r.errors + toolErrors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

/** The provider's side after the run: each unacknowledged webhook sent again (a few at a time) until answered 2xx; how many were. */
export async function redeliver(run: Pick<InboundResult, 'webhookUrl' | 'signedWebhookUrl'>, indexes: number[], count = WEBHOOKS): Promise<number> {
  const { webhookUrl } = run;
  const signed = signedWebhooks(run.signedWebhookUrl, count);
  let acknowledged = 0;
  const queue = [...indexes];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const res = await fetch(webhookUrl, { method: 'POST', headers: signed[i]!.headers, body: signed[i]!.body }).catch(() => null);
        await res?.text();
        if (res && res.status >= 200 && res.status < 300) {
          acknowledged++;
          break;
        }
      }
    }
  }));
  return acknowledged;
}
