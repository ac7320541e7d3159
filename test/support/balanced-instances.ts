import type { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { freePort, startHaproxy, type LoadBalancer } from './haproxy.js';
import { POSTGRES_URL, postgresSchemas } from './postgres-schema.js';

/** A server process that can be stopped in order or killed like a crashing host. */
export interface Instance {
  url: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

type Schemas = Awaited<ReturnType<typeof postgresSchemas>>;

/** What every instance of one deployment shares: the balancer's address as its public URL, and one schema. */
export interface SharedSettings {
  publicBaseUrl: string;
  db: { use: 'postgresql'; options: { url: string; schema: string; poolMax: number } };
}

export interface BalancedInstances<S extends Instance> {
  servers: S[];
  balancer: LoadBalancer;
  /** The PostgreSQL schema all instances use. */
  schema: string;
  query<T>(sql: string): Promise<T[]>;
  /** The balancer, then every instance (killed ones are already gone), then the schema if this opened it. */
  stop(): Promise<void>;
}

/**
 * Production's shape for tests and benchmarks: `count` server processes on one PostgreSQL schema behind a real
 * HAProxy (haproxy.ts: round robin, health checks, retries with redispatch). `config` turns the shared settings
 * into what `start` starts an instance from (a config file, say). The first instance migrates the schema alone;
 * the others then start one at a time, which a loaded machine gets through sooner than all at once.
 * `schemas`: the caller's, else this opens its own and drops the schema on stop.
 */
export async function startBalancedInstances<C, S extends Instance>(options: {
  count?: number;
  poolMax: number;
  config: (shared: SharedSettings) => C;
  start: (config: C) => Promise<S>;
  schemas?: Schemas;
}): Promise<BalancedInstances<S>> {
  if (!POSTGRES_URL) throw new Error('several instances need PostgreSQL: set COMMS_TEST_POSTGRES_URL');
  const schemas = options.schemas ?? (await postgresSchemas(POSTGRES_URL));
  const schema = schemas.fresh();
  const servers: S[] = [];
  let balancer: LoadBalancer | undefined;
  const stop = async (): Promise<void> => {
    await balancer?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    if (!options.schemas) await schemas.close();
  };
  try {
    const port = await freePort();
    const config = options.config({
      publicBaseUrl: `http://127.0.0.1:${port}`,
      db: { use: 'postgresql', options: { url: POSTGRES_URL, schema, poolMax: options.poolMax } },
    });
    for (let i = 0; i < (options.count ?? 3); i++) servers.push(await options.start(config));
    balancer = await startHaproxy(port, servers.map((s) => s.url));
  } catch (err) {
    await stop();
    throw err;
  }
  return { servers, balancer, schema, query: (sql) => schemas.query(sql), stop };
}

/** The settings e2e deployments share: the Twilio simulator as provider; usage limits and load shedding off. */
export function simulatedDeployment(sim: TwilioSimulator, settings: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 10_000 } },
    usage: { enabled: false },
    // What is under test is several instances, not shedding: a loaded test machine must not turn requests away.
    security: { loadShedding: { eventLoopDelayMs: 0 } },
    ...settings,
  };
}
