import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { simulatedDeployment, startBalancedInstances, type BalancedInstances } from '../support/balanced-instances.js';
import { HAPROXY } from '../support/haproxy.js';
import { callOk } from '../support/mcp-client.js';
import { POSTGRES_URL } from '../support/postgres-schema.js';
import { createAgentOver, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';

const AGENT_NUMBER = '+15550100042';
const PERSON = '+15550100162';

interface Waited { messages: Array<{ id: string; direction: string; body?: string }>; cursor: string; timedOut: boolean }

/**
 * MCP through a real HAProxy in front of three server processes on one PostgreSQL, round robin and no
 * sticky sessions: an SDK client's session, opened through the balancer, is served by every instance in
 * turn (HAProxy names the backend of each answer in X-Served-By), its tools work wherever they land, a
 * wait on one instance hears of an SMS whose webhook another instance received, and a SIGKILLed instance
 * does not end the session: the balancer sends its requests to the others, which restore it.
 */
describe.skipIf(!POSTGRES_URL || !HAPROXY)('MCP sessions through HAProxy, three instances, no stickiness', { timeout: 300_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  let deployment: BalancedInstances<ServerProcess>;
  let servers: ServerProcess[];
  let balancer: BalancedInstances<ServerProcess>['balancer'];
  let agent: { agentId: string; token: string };
  let client: Client;
  let sessionId: string;
  /** The backend (s1, s2, s3) that answered each POST of the client, in order. */
  const servedBy: string[] = [];

  beforeAll(async () => {
    await sim.start();
    deployment = await startBalancedInstances({
      poolMax: 4,
      config: (shared) => serverProcessConfig({
        ...shared,
        // Every request checks the session's record, as a session moving between instances needs.
        ...simulatedDeployment(sim, { server: { host: '127.0.0.1', port: 0, mcp: { sessionRecheckMs: 0, waitMaxSeconds: 20 } } }),
      }),
      start: startServerProcess,
    });
    ({ servers, balancer } = deployment);
    agent = await createAgentOver(balancer.url, { name: 'Balanced', phone: AGENT_NUMBER });

    const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      if (init?.method === 'POST') servedBy.push(response.headers.get('x-served-by') ?? 'unknown');
      return response;
    };
    client = new Client({ name: 'balanced-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${balancer.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${agent.token}` } }, fetch: recording,
    }));
    sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await deployment?.stop();
    await sim.stop();
  }, 60_000);

  it('serves one session on every instance in turn: tool lists and tool calls answer wherever they land', async () => {
    const before = servedBy.length;
    for (let i = 0; i < 6; i++) {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('comms_send_message');
      expect(await callOk(client, 'comms_get_messages', {})).toMatchObject({ messages: expect.any(Array) });
    }
    const spread = servedBy.slice(before);
    expect(spread.length).toBeGreaterThanOrEqual(12);
    expect(new Set(spread)).toEqual(new Set(['s1', 's2', 's3']));
  });

  it('sends through whatever instance gets the call, each send stored once', async () => {
    const before = servedBy.length;
    const sent = [];
    const bodies = Array.from({ length: 6 }, (_, i) => `balanced ${i}`);
    for (const body of bodies) sent.push(await callOk<{ messageId: string }>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body }));
    // Round robin, but the client's GET stream re-opening through the balancer takes turns too.
    expect(new Set(servedBy.slice(before)).size).toBeGreaterThan(1);
    await sim.settled();
    expect(sim.messages.filter((m) => m.body.startsWith('balanced ')).map((m) => m.body).sort()).toEqual(bodies);
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(bodies.length);
  });

  it('answers a wait held by one instance with an SMS whose webhook the balancer gave to another', async () => {
    const { cursor } = await callOk<Waited>(client, 'comms_wait_for_message', { timeoutSeconds: 0 });
    const waitIndex = servedBy.length;
    const waiting = callOk<Waited>(client, 'comms_wait_for_message', { after: cursor, timeoutSeconds: 15 });
    await new Promise((r) => setTimeout(r, 500));
    // Round robin: the webhook goes to the next backend, not the one holding the wait.
    const delivery = await sim.injectInboundSms({ url: `${balancer.url}/webhooks/${agent.agentId}/sms`, from: PERSON, to: AGENT_NUMBER, body: 'Reply through the balancer' });
    expect(delivery.status).toBe(200);
    const waited = await waiting;
    expect(waited.timedOut).toBe(false);
    expect(waited.messages.map((m) => m.direction)).toEqual(['inbound']);
    expect(servedBy[waitIndex]).toMatch(/^s[123]$/);
  });

  it('keeps the session when an instance is SIGKILLed: its requests are served by the others', async () => {
    await servers[1]!.kill();
    const before = servedBy.length;
    for (let i = 0; i < 6; i++) {
      expect(await callOk(client, 'comms_get_messages', { limit: 1 })).toMatchObject({ messages: expect.any(Array) });
    }
    const after = servedBy.slice(before);
    expect(after.length).toBeGreaterThanOrEqual(6);
    expect(after).not.toContain('s2');
    expect(new Set(after)).toEqual(new Set(['s1', 's3']));
    // The same session throughout: the client never initialized again.
    expect((client.transport as StreamableHTTPClientTransport).sessionId).toBe(sessionId);
    expect(await callOk(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'after the kill' })).toMatchObject({ messageId: expect.any(String) });
  });
});
