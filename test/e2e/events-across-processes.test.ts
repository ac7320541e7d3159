import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { watchUpdates, type InboxWatch } from '../support/inbox-watch.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { createAgentOver, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100041';
const PERSON = '+15550100161';

interface Waited { messages: Array<{ id: string; direction: string }>; cursor: string; timedOut: boolean }

/**
 * Two real server processes on one PostgreSQL schema, no sticky sessions: an MCP session held by process A
 * hears of an SMS whose signed webhook process B received — the subscribed inbox is pushed, and a
 * comms_wait_for_message waiting on A returns it. Nothing polls: only B's NOTIFY wakes A before the wait's deadline.
 */
describe.skipIf(!POSTGRES_URL)('agent events across two server processes on PostgreSQL', { timeout: 120_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let agent: { agentId: string; token: string };
  let client: Client;
  let watch: InboxWatch;
  const inboundTo = (server: ServerProcess, body: string) =>
    sim.injectInboundSms({ url: `${server.url}/webhooks/${agent.agentId}/sms`, from: PERSON, to: AGENT_NUMBER, body });

  beforeAll(async () => {
    await sim.start();
    schemas = await postgresSchemas(POSTGRES_URL!);
    const config = serverProcessConfig({
      db: { use: 'postgresql', options: { url: POSTGRES_URL, schema: schemas.fresh() } },
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 1500 } },
      server: { host: '127.0.0.1', port: 0, mcp: { waitMaxSeconds: 20 } },
    });
    // The first migrates; the second starts on the migrated schema.
    a = await startServerProcess(config);
    b = await startServerProcess(config);
    agent = await createAgentOver(a.url, { name: 'Across', phone: AGENT_NUMBER });
    client = await connectHttpClient(a.url, agent.token);
    watch = watchUpdates(client);
    await client.subscribeResource({ uri: 'comms://inbox' });
    // The session's GET stream opens just after connect: an SMS to A itself shows when pushes reach the client.
    await eventually(async () => {
      const since = performance.now();
      expect((await inboundTo(a, 'warm-up')).status).toBe(200);
      return watch.next(since, 500).then(() => true, () => undefined);
    });
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await schemas?.close();
    await sim.stop();
  });

  it('pushes notifications/resources/updated to a session on A for an SMS received by B', async () => {
    const since = performance.now();
    expect((await inboundTo(b, 'Seen on B')).status).toBe(200);
    const update = await watch.next(since, 5000);
    expect(update.uri).toBe('comms://inbox');
    // Once: no second update for the same message (an echo delivered twice would show here).
    await new Promise((r) => setTimeout(r, 300));
    expect(watch.updates.filter((u) => u.at >= since)).toHaveLength(1);
  });

  it('answers a comms_wait_for_message waiting on A with a message that arrived on B', async () => {
    const { cursor } = await callOk<Waited>(client, 'comms_wait_for_message', { timeoutSeconds: 0 });
    const waiting = callOk<Waited>(client, 'comms_wait_for_message', { after: cursor, timeoutSeconds: 15 });
    await new Promise((r) => setTimeout(r, 300));
    const delivery = await inboundTo(b, 'Waited for on A');
    expect(delivery.status).toBe(200);
    const arrived = performance.now();
    const waited = await waiting;
    // The wait looks at the database when rung, or once more at its deadline (15 s): well before that means
    // B's event woke it (a generous bound, not a latency target).
    expect(performance.now() - arrived).toBeLessThan(10_000);
    expect(waited.timedOut).toBe(false);
    expect(waited.messages).toHaveLength(1);
    expect(waited.messages[0]).toMatchObject({ direction: 'inbound' });
  });

  it('logs no personal data about the notifications', () => {
    for (const output of [a.output(), b.output()]) {
      expect(output).not.toContain(PERSON);
      expect(output).not.toContain('Seen on B');
    }
  });
});
