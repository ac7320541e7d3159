/**
 * `npm run bench -- --db postgresql --suite instances`: several server processes on one PostgreSQL behind HAProxy
 * (../support/balanced-instances.ts: round robin, health checks, retries with redispatch; no stickiness, MCP
 * sessions resumed on whichever instance a request reaches), in one run:
 *   a. one server process, directly;
 *   b. one server process behind HAProxy: the balancer's own cost;
 *   c. three server processes behind HAProxy;
 * each with comms_send_message at c=32 over SESSIONS MCP sessions (idempotency keys, as a client that retries
 * would use) and signed inbound SMS webhooks at c=64; server CPU summed over the server processes, HAProxy's apart.
 * (BENCH_ROUNDS > 1 repeats a, b, c in alternating order, so that drift on a shared machine falls on all alike.)
 *   d. correctness: three instances with usage limits on. First a cap reached across them (a tier with
 *      sms perDay BENCH_CAP, twice as many sends attempted: exactly BENCH_CAP sent). Then sends and webhooks
 *      running together, agent callbacks on, one instance SIGKILLed when half of the sends are answered and started
 *      again at three quarters; after it every acknowledged send is stored once, the client's retry of the others
 *      (same keys) leaves every send stored once, the provider's redelivery of the unacknowledged webhooks leaves each
 *      stored once, and no callback reaches the agent more often than it was attempted (one receipt more only for a
 *      delivery first received before the kill: the killed process sent it and could not record it).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBalancedInstances, type SharedSettings } from '../support/balanced-instances.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { POSTGRES_URL, type postgresSchemas } from '../support/postgres-schema.js';
import { BENCH_ADMIN_TOKEN, createBenchAgent, processCpuSeconds, startBenchProcess, writeBenchConfig, type BenchServer } from './bench-server.js';
import { CONNECTIONS, LIMITS_OFF, SENDS, TARGET_CONNECTIONS, WEBHOOKS, benchInbound, benchSends, redeliver, retrySends, type InboundResult, type Result, type Tracked } from './load.js';

type Schemas = Awaited<ReturnType<typeof postgresSchemas>>;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** MCP sessions the sends take turns on: behind round robin, each is served by every instance. */
const SESSIONS = 8;
/** The capped tier's sms perDay in run d. */
const CAP = Number(process.env.BENCH_CAP ?? 300);
/** The number the signed webhooks are addressed to (load.ts). */
const AGENT_NUMBER = '+15550100099';
/**
 * Pool per process: one instance gets the targets suite's 16; three get 8 each (24 in all), which PostgreSQL's
 * default 100 connections hold beside pg-boss's pools and other users of a shared server.
 */
const POOL = { one: 16, three: 8 };

/** A deployment under measure: where requests go, the URL the provider signs, its server processes and balancer. */
interface Deployment {
  name: string;
  url: string;
  publicUrl: string;
  servers: BenchServer[];
  balancerPid: number | undefined;
  schema: string;
  /** Starts server `index` again at its address (after a kill): the balancer's health check takes it back. */
  restart?(index: number): Promise<void>;
  stop(): Promise<void>;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'agentos-bench-'));

async function direct(repo: string, schemas: Schemas): Promise<Deployment> {
  const schema = schemas.fresh();
  const config = writeBenchConfig(tempDir(), { db: { use: 'postgresql', options: { url: POSTGRES_URL, schema, poolMax: POOL.one } }, ...LIMITS_OFF });
  const server = await startBenchProcess(config, repo);
  return { name: 'one process, direct', url: server.url, publicUrl: server.url, servers: [server], balancerPid: undefined, schema, stop: () => server.stop() };
}

async function balanced(repo: string, schemas: Schemas, count: number, settings: Record<string, unknown> = LIMITS_OFF): Promise<Deployment> {
  let sharedSettings: SharedSettings | undefined;
  const deployment = await startBalancedInstances({
    count,
    poolMax: count === 1 ? POOL.one : POOL.three,
    schemas,
    config: (shared: SharedSettings) => {
      sharedSettings = shared;
      return writeBenchConfig(tempDir(), { ...shared, ...settings });
    },
    start: (file: string) => startBenchProcess(file, repo),
  });
  const { balancer } = deployment;
  return {
    name: count === 1 ? 'one process behind HAProxy' : `${count} processes behind HAProxy`,
    url: balancer.url,
    publicUrl: balancer.url,
    servers: deployment.servers,
    balancerPid: balancer.pid,
    schema: deployment.schema,
    async restart(index: number) {
      const { port } = new URL(deployment.servers[index]!.url);
      const config = writeBenchConfig(tempDir(), { ...sharedSettings, ...settings, server: { host: '127.0.0.1', port: Number(port) } });
      deployment.servers[index] = await startBenchProcess(config, repo);
    },
    stop: () => deployment.stop(),
  };
}

/** Outbound rows of an agent per idempotency key index (`<prefix><i>`), and rows without one. */
async function storedSends(schemas: Schemas, schema: string, agentId: string): Promise<{ perIndex: Map<number, number>; rows: number }> {
  // The agent id is the server's own (letters, digits, underscore): safe to inline.
  const rows = await schemas.query<{ key: string | null; n: string }>(
    `select idempotency_key as key, count(*) as n from "${schema}".messages where agent_id = '${agentId}' and direction = 'outbound' group by idempotency_key`,
  );
  const perIndex = new Map<number, number>();
  let total = 0;
  for (const row of rows) {
    total += Number(row.n);
    perIndex.set(row.key === null ? -1 : Number(/(\d+)$/.exec(row.key)?.[1] ?? -1), Number(row.n));
  }
  return { perIndex, rows: total };
}

interface SendCheck { stored: number; acknowledgedNotStoredOnce: number; duplicated: number }

/** Every acknowledged send stored exactly once, and no send stored twice. */
async function checkSends(schemas: Schemas, schema: string, agentId: string, sends: Tracked): Promise<SendCheck> {
  const { perIndex, rows } = await storedSends(schemas, schema, agentId);
  return {
    stored: rows,
    acknowledgedNotStoredOnce: [...sends.acknowledged].filter((i) => perIndex.get(i) !== 1).length,
    duplicated: [...perIndex.values()].filter((n) => n > 1).length,
  };
}

interface WebhookCheck { lost: number; unacknowledged: number; redeliveredAcknowledged: number; finalRows: number; finalDistinct: number }

/** None acknowledged and lost; after the provider's redelivery of the unacknowledged ones, each stored exactly once. */
async function checkWebhooks(schemas: Schemas, schema: string, agentId: string, inbound: InboundResult, count: number): Promise<WebhookCheck> {
  const stored = async () => {
    const sids = await schemas.query<{ sid: string }>(`select provider_message_id as sid from "${schema}".messages where agent_id = '${agentId}' and direction = 'inbound'`);
    return { indexes: new Set(sids.map((r) => Number(r.sid.slice('SMbench'.length)))), rows: sids.length };
  };
  const before = await stored();
  const unacknowledged = Array.from({ length: count }, (_, i) => i).filter((i) => !inbound.acknowledged.has(i));
  const redeliveredAcknowledged = await redeliver(inbound, unacknowledged, count);
  const after = await stored();
  return {
    lost: [...inbound.acknowledged].filter((i) => !before.indexes.has(i)).length,
    unacknowledged: unacknowledged.length,
    redeliveredAcknowledged,
    finalRows: after.rows,
    finalDistinct: after.indexes.size,
  };
}

const webhooksExact = (w: WebhookCheck, count: number) => w.lost === 0 && w.finalRows === count && w.finalDistinct === count;
const sendsExact = (s: SendCheck) => s.acknowledgedNotStoredOnce === 0 && s.duplicated === 0;
/** Every send answered in the end (sent, or a final coded error its key keeps answering) and stored exactly once. */
const sendsRetryExact = (k: KillRun) => !Object.keys(k.sendRetry.finalErrors).some((e) => e.startsWith('still ')) && k.sendRetry.rows === SENDS && k.sendRetry.notStoredOnce === 0;

interface Measured { name: string; sends: Tracked; webhooks: Result; balancerCpu: { sends: number; webhooks: number } | null; sendCheck: SendCheck; webhookCheck: WebhookCheck }

/** Sends, then webhooks, on a fresh deployment; CPU summed over its server processes, the balancer's apart. */
async function measure(start: () => Promise<Deployment>, schemas: Schemas): Promise<Measured> {
  const d = await start();
  try {
    const agent = await createBenchAgent(d.url, AGENT_NUMBER);
    const serverCpu = () => d.servers.reduce((sum, s) => sum + s.cpuSeconds(), 0);
    const balancerMs = (from: number, count: number) => Math.round(((processCpuSeconds(d.balancerPid) - from) * 1e6) / count) / 1e3;
    let lb = processCpuSeconds(d.balancerPid);
    const sends = await benchSends({ url: d.url, token: agent.token, cpuSeconds: serverCpu, connections: TARGET_CONNECTIONS, sessions: SESSIONS, keyPrefix: 'bench-' });
    const lbSends = balancerMs(lb, SENDS);
    lb = processCpuSeconds(d.balancerPid);
    const webhooks = await benchInbound(d.url, agent.agentId, serverCpu, { signedUrl: d.publicUrl });
    const lbWebhooks = balancerMs(lb, WEBHOOKS);
    return {
      name: d.name,
      sends,
      webhooks,
      balancerCpu: d.balancerPid === undefined ? null : { sends: lbSends, webhooks: lbWebhooks },
      sendCheck: await checkSends(schemas, d.schema, agent.agentId, sends),
      webhookCheck: await checkWebhooks(schemas, d.schema, agent.agentId, webhooks, WEBHOOKS),
    };
  } finally {
    await d.stop();
  }
}

/** Usage limits on: a generous default tier, and a capped one for the agent that checks the cap is exact. */
const CAPPED_LIMITS = {
  ...LIMITS_OFF,
  usage: {
    defaultTier: 'open',
    tiers: {
      open: { actions: { sms: { perDay: 1_000_000_000 } } },
      capped: { actions: { sms: { perDay: CAP } } },
    },
  },
  // A send the killed process left unanswered is settled by the survivors within seconds.
  recovery: { stuckAfterSeconds: 3, intervalSeconds: 1 },
  callbacks: { pollIntervalMs: 200 },
};

interface KillRun {
  restarted: boolean;
  cap: { attempted: number; acknowledged: number; refused: number; stored: number; duplicated: number };
  sends: Tracked;
  webhooks: InboundResult;
  sendCheck: SendCheck;
  /** The client's retry of the unacknowledged sends with their keys, then every send checked stored once. */
  sendRetry: { unacknowledged: number; acknowledged: number; finalErrors: Record<string, number>; rows: number; notStoredOnce: number };
  webhookCheck: WebhookCheck;
  callbacks: { deliveries: number; notDelivered: number; receipts: number; moreThanAttempted: number; explainedByKill: number };
}

async function setTier(url: string, agentId: string, tier: string): Promise<void> {
  const res = await fetch(`${url}/api/v1/agents/${agentId}/limits`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tier }),
  });
  if (res.status !== 200) throw new Error(`setting the tier failed: ${res.status} ${await res.text()}`);
}

/** Polls until no callback delivery is pending (a delivery the killed process claimed waits out its lease: 60 s). */
async function callbacksSettled(schemas: Schemas, schema: string, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await schemas.query<{ n: string }>(`select count(*) as n from "${schema}".callback_deliveries where status = 'pending'`);
    if (Number(row?.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${row?.n} callback deliveries still pending`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Run d: the cap across three instances, then one of them SIGKILLed under load. */
async function killRun(repo: string, schemas: Schemas): Promise<KillRun> {
  const receiver = await new CallbackReceiver().start();
  const d = await balanced(repo, schemas, 3, CAPPED_LIMITS);
  try {
    const capped = await createBenchAgent(d.url, '+15550100098');
    await setTier(d.url, capped.agentId, 'capped');
    const capSends = await benchSends({ url: d.url, token: capped.token, cpuSeconds: () => 0, connections: TARGET_CONNECTIONS, count: 2 * CAP, sessions: SESSIONS, keyPrefix: 'cap-' });
    const capStored = await storedSends(schemas, d.schema, capped.agentId);

    const agent = await createBenchAgent(d.url, AGENT_NUMBER, { callbackUrl: receiver.url });
    let killedAt = Infinity;
    let killing: Promise<void> | undefined;
    let restarting: Promise<boolean> | undefined;
    // Killed when half of the sends are answered; started again (same address) at three quarters, load still running.
    const onAnswer = (n: number) => {
      if (n >= SENDS / 2 && !killing) {
        killedAt = Date.now();
        killing = d.servers[1]!.kill();
      }
      if (n >= (SENDS * 3) / 4 && killing && !restarting) {
        // Caught here, not where it is awaited (after the load): a rejection left pending would end the bench.
        restarting = killing.then(() => d.restart!(1)).then(() => true, (err: unknown) => {
          console.error('restarting the killed instance failed:', err);
          return false;
        });
      }
    };
    const [sends, webhooks] = await Promise.all([
      benchSends({ url: d.url, token: agent.token, cpuSeconds: () => 0, connections: TARGET_CONNECTIONS, sessions: SESSIONS, keyPrefix: 'kill-', onAnswer }),
      benchInbound(d.url, agent.agentId, () => 0, { signedUrl: d.publicUrl }),
    ]);
    await killing;
    const restarted = (await restarting) ?? false;
    const sendCheck = await checkSends(schemas, d.schema, agent.agentId, sends);
    const unacknowledged = Array.from({ length: SENDS }, (_, i) => i).filter((i) => !sends.acknowledged.has(i));
    const { acknowledged: retried, finalErrors } = await retrySends(d.url, agent.token, 'kill-', unacknowledged);
    const final = await storedSends(schemas, d.schema, agent.agentId);
    const sendRetry = {
      unacknowledged: unacknowledged.length,
      acknowledged: retried,
      finalErrors,
      rows: final.rows,
      notStoredOnce: Array.from({ length: SENDS }, (_, i) => i).filter((i) => final.perIndex.get(i) !== 1).length,
    };
    const webhookCheck = await checkWebhooks(schemas, d.schema, agent.agentId, webhooks, WEBHOOKS);

    await callbacksSettled(schemas, d.schema);
    const deliveries = await schemas.query<{ id: string; attempts: number; status: string }>(`select id, attempts, status from "${d.schema}".callback_deliveries`);
    const receipts = new Map<string, number[]>();
    for (const r of receiver.received) {
      const id = String(r.headers['webhook-id']);
      receipts.set(id, [...(receipts.get(id) ?? []), r.at]);
    }
    const over = deliveries.filter((c) => (receipts.get(c.id)?.length ?? 0) > Number(c.attempts));
    return {
      restarted,
      cap: { attempted: 2 * CAP, acknowledged: capSends.acknowledged.size, refused: capSends.errors, stored: capStored.rows, duplicated: [...capStored.perIndex.values()].filter((n) => n > 1).length },
      sends,
      webhooks,
      sendCheck,
      sendRetry,
      webhookCheck,
      callbacks: {
        deliveries: deliveries.length,
        notDelivered: deliveries.filter((c) => c.status !== 'delivered').length,
        receipts: receiver.received.length,
        moreThanAttempted: over.length,
        // One receipt more than recorded attempts, the first before the kill: the killed process sent it, then died.
        explainedByKill: over.filter((c) => receipts.get(c.id)!.length === Number(c.attempts) + 1 && receipts.get(c.id)![0]! < killedAt).length,
      },
    };
  } finally {
    await d.stop();
    await receiver.stop();
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

function printThroughput(runs: Measured[]): void {
  const directRuns = runs.filter((r) => r.name.endsWith('direct'));
  const base = (pick: (r: Measured) => number) => directRuns.reduce((s, r) => s + pick(r), 0) / directRuns.length;
  const ratio = (v: number, b: number) => `${(v / b).toFixed(2)}×`;
  console.log(`\ninstances: one PostgreSQL, ${SENDS} sends (c=${TARGET_CONNECTIONS}, ${SESSIONS} MCP sessions, idempotency keys) and ${WEBHOOKS} signed webhooks (c=${CONNECTIONS}) per deployment, demo provider, limits off\n`);
  console.log('| deployment | sends/s | × direct | p50 / p99 ms | server CPU ms/send (all processes) | HAProxy CPU ms/send | webhooks/s | × direct | p50 / p99 ms | server CPU ms/webhook | HAProxy CPU ms/webhook | sends: acknowledged / stored | webhooks: stored once after redelivery |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    console.log(
      `| ${r.name} | ${r.sends.requestsPerSecond} | ${ratio(r.sends.requestsPerSecond, base((x) => x.sends.requestsPerSecond))} | ${r.sends.p50} / ${r.sends.p99} | ${r.sends.cpuMsPerRequest} | ${r.balancerCpu?.sends ?? '–'} | ` +
        `${r.webhooks.requestsPerSecond} | ${ratio(r.webhooks.requestsPerSecond, base((x) => x.webhooks.requestsPerSecond))} | ${r.webhooks.p50} / ${r.webhooks.p99} | ${r.webhooks.cpuMsPerRequest} | ${r.balancerCpu?.webhooks ?? '–'} | ` +
        `${sendsExact(r.sendCheck) ? 'yes' : 'NO'} (${r.sends.acknowledged.size} / ${r.sendCheck.stored}) | ${webhooksExact(r.webhookCheck, WEBHOOKS) ? 'yes' : 'NO'} (${r.webhookCheck.finalRows}) |`,
    );
  }
}

function printKillRun(k: KillRun): void {
  const w = k.webhookCheck;
  const c = k.callbacks;
  console.log(`\nkill under load: three processes behind HAProxy, usage limits on, agent callbacks on; one SIGKILLed when ${SENDS / 2} of ${SENDS} sends were answered and started again at ${(SENDS * 3) / 4}, ${WEBHOOKS} webhooks running beside\n`);
  if (!k.restarted) console.log('(the killed instance did not start again: see the error above)');
  console.log('| check | result | exact |');
  console.log('|---|---|---|');
  console.log(`| cap across three instances (sms perDay ${CAP}) | ${k.cap.attempted} attempted, ${k.cap.acknowledged} sent, ${k.cap.refused} refused, ${k.cap.stored} stored, ${k.cap.duplicated} duplicated | ${k.cap.acknowledged === CAP && k.cap.stored === CAP && k.cap.duplicated === 0 ? 'yes' : 'NO'} |`);
  const r = k.sendRetry;
  console.log(
    `| sends (${k.sends.requestsPerSecond}/s, p99 ${k.sends.p99} ms) | ${k.sends.acknowledged.size} acknowledged, ${r.unacknowledged} not (${k.sends.errors} errors, ${k.sends.non2xx} non-2xx, ` +
      `${k.sends.timeouts} timeouts, the others' connections closed unanswered); ${k.sendCheck.stored} stored; acknowledged but not stored exactly once: ` +
      `${k.sendCheck.acknowledgedNotStoredOnce}; duplicated: ${k.sendCheck.duplicated} | ${sendsExact(k.sendCheck) ? 'yes' : 'NO'} |`,
  );
  console.log(
    `| sends, the client's retry of the ${r.unacknowledged} unacknowledged with their keys | ${r.acknowledged} acknowledged, final errors ${JSON.stringify(r.finalErrors)}, then ${r.rows} rows; sends not stored exactly once: ${r.notStoredOnce} | ${sendsRetryExact(k) ? 'yes' : 'NO'} |`,
  );
  console.log(
    `| webhooks (${k.webhooks.requestsPerSecond}/s, p99 ${k.webhooks.p99} ms) | ${k.webhooks.acknowledged.size} acknowledged, ${w.unacknowledged} not; acknowledged and lost: ${w.lost}; ` +
      `redelivered ${w.unacknowledged} (${w.redeliveredAcknowledged} acknowledged), then ${w.finalRows} rows for ${w.finalDistinct} MessageSids | ${webhooksExact(w, WEBHOOKS) ? 'yes' : 'NO'} |`,
  );
  console.log(
    `| callbacks | ${c.deliveries} deliveries, ${c.notDelivered} not delivered, ${c.receipts} receipts; received more often than attempted: ${c.moreThanAttempted} ` +
      `(of them once more, first before the kill: ${c.explainedByKill}) | ${c.notDelivered === 0 && c.moreThanAttempted === c.explainedByKill ? 'yes' : 'NO'} |`,
  );
}

/** The suite; true when every check is exact. */
export async function instancesSuite(repo: string, schemas: Schemas): Promise<boolean> {
  console.log(`\ninstances suite, load average at start (1 / 5 / 15 min): ${load()}`);
  const deployments: Array<() => Promise<Deployment>> = [() => direct(repo, schemas), () => balanced(repo, schemas, 1), () => balanced(repo, schemas, 3)];
  const runs: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const start of round % 2 === 0 ? deployments : [...deployments].reverse()) runs.push(await measure(start, schemas));
  }
  console.log(`load average after the throughput runs: ${load()}`);
  const kill = await killRun(repo, schemas);
  printThroughput(runs);
  printKillRun(kill);
  console.log(`\nload average at the end: ${load()}`);
  const throughputExact = runs.every((r) => sendsExact(r.sendCheck) && webhooksExact(r.webhookCheck, WEBHOOKS));
  const c = kill.callbacks;
  const killExact = kill.cap.acknowledged === CAP && kill.cap.stored === CAP && kill.cap.duplicated === 0 && sendsExact(kill.sendCheck) && sendsRetryExact(kill) &&
    webhooksExact(kill.webhookCheck, WEBHOOKS) && c.notDelivered === 0 && c.moreThanAttempted === c.explainedByKill;
  return throughputExact && killExact;
}
