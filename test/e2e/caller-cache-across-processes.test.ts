import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { createAgentOver, restCall, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN } from '../support/test-server.js';

const AGENT_NUMBER = '+15550100042';

const patchAgent = (url: string, agentId: string, body: unknown) =>
  fetch(`${url}/api/v1/agents/${agentId}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
const rotate = async (url: string, agentId: string): Promise<string> => {
  const rotated = await restCall<{ token: string }>(url, ADMIN_TOKEN, 'POST', `/agents/${agentId}/token`, {});
  expect(rotated.status).toBe(200);
  return rotated.body.token;
};
/** The status of an agent-token request (the cheapest one: its own agent). */
const statusOf = async (server: ServerProcess, token: string) => (await restCall(server.url, token, 'GET', '/agent')).status;

/**
 * Every server keeps the caller a token stands for (core/agents/agent-cache.ts). The requests below are made
 * twice before each change, so that the server answering them holds the caller, and once right after: a rotated
 * token or a disabled agent must be refused at that very next request, by the server that made the change and
 * by any other.
 */
describe('a token\'s cached caller, SQLite, one server process', { timeout: 60_000 }, () => {
  let a: ServerProcess;

  beforeAll(async () => {
    a = await startServerProcess(serverProcessConfig({}));
  }, 30_000);
  afterAll(async () => a?.stop());

  it('refuses a rotated token and a disabled agent at the next request', async () => {
    const agent = await createAgentOver(a.url, { name: 'Cached', phone: AGENT_NUMBER });
    expect([await statusOf(a, agent.token), await statusOf(a, agent.token)]).toEqual([200, 200]);
    const token = await rotate(a.url, agent.agentId);
    expect(await statusOf(a, agent.token)).toBe(401);
    expect([await statusOf(a, token), await statusOf(a, token)]).toEqual([200, 200]);
    expect((await patchAgent(a.url, agent.agentId, { status: 'disabled' })).status).toBe(200);
    expect(await statusOf(a, token)).toBe(401);
    expect((await patchAgent(a.url, agent.agentId, { status: 'active' })).status).toBe(200);
    expect(await statusOf(a, token)).toBe(200);
  });
});

describe.skipIf(!POSTGRES_URL)('a token\'s cached caller, two server processes on one PostgreSQL', { timeout: 120_000 }, () => {
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
  let schema: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let agent: { agentId: string; token: string };

  beforeAll(async () => {
    schemas = await postgresSchemas(POSTGRES_URL!);
    schema = schemas.fresh();
    const config = serverProcessConfig({ db: { use: 'postgresql', options: { url: POSTGRES_URL, schema } } });
    a = await startServerProcess(config);
    b = await startServerProcess(config);
    agent = await createAgentOver(a.url, { name: 'Cached', phone: AGENT_NUMBER });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await schemas?.close();
  });

  it('refuses on B a token rotated on A, at B\'s next request', async () => {
    expect([await statusOf(b, agent.token), await statusOf(b, agent.token)]).toEqual([200, 200]);
    const token = await rotate(a.url, agent.agentId);
    expect(await statusOf(b, agent.token)).toBe(401);
    expect(await statusOf(b, token)).toBe(200);
    agent = { ...agent, token };
  });

  it('refuses on B an agent disabled on A, and serves it again once enabled', async () => {
    expect([await statusOf(b, agent.token), await statusOf(b, agent.token)]).toEqual([200, 200]);
    expect((await patchAgent(a.url, agent.agentId, { status: 'disabled' })).status).toBe(200);
    expect(await statusOf(b, agent.token)).toBe(401);
    expect((await patchAgent(a.url, agent.agentId, { status: 'active' })).status).toBe(200);
    expect(await statusOf(b, agent.token)).toBe(200);
  });

  it('hears a change no server made (the operator\'s SQL, another process): the database\'s trigger notifies', async () => {
    expect([await statusOf(a, agent.token), await statusOf(b, agent.token)]).toEqual([200, 200]);
    await schemas.query(`update "${schema}".agents set status = 'disabled' where id = '${agent.agentId}'`);
    // The NOTIFY is sent as the UPDATE commits; nothing here waits for the servers to read it, so they may answer
    // a request or two that was already on its way. Within a second (the servers' TTL would be 30 s) both refuse.
    await eventually(async () => ((await statusOf(a, agent.token)) === 401 && (await statusOf(b, agent.token)) === 401) || undefined, 1_000);
    await schemas.query(`update "${schema}".agents set status = 'active' where id = '${agent.agentId}'`);
    await eventually(async () => (await statusOf(b, agent.token)) === 200 || undefined);
  });

  it('serves nothing stale when the listening connection drops: a change made meanwhile is seen at the next request', async () => {
    expect([await statusOf(b, agent.token), await statusOf(b, agent.token)]).toEqual([200, 200]);
    const lostBefore = b.output().split('connection lost').length;
    // Both servers' LISTEN connections on this schema (their last statement names one of its channels).
    await schemas.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'agentos-comms-notify' and query like '%${schema}%'`,
    );
    await eventually(async () => b.output().split('connection lost').length > lostBefore || undefined);
    await schemas.query(`update "${schema}".agents set status = 'disabled' where id = '${agent.agentId}'`);
    expect(await statusOf(b, agent.token)).toBe(401);
    await schemas.query(`update "${schema}".agents set status = 'active' where id = '${agent.agentId}'`);
    await eventually(async () => (await statusOf(b, agent.token)) === 200 || undefined);
  });
});
