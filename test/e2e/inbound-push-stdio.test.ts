import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStdioHost } from '../../hosts/mcp/stdio-host.js';
import { eventually } from '../support/callback-receiver.js';
import { readJson, watchUpdates } from '../support/inbox-watch.js';
import { callOk } from '../support/mcp-client.js';
import { onSqliteAndPostgres, type TestDbSection } from '../support/each-database.js';
import { stdioPipe } from '../support/stdio-pipe.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const AGENT_NUMBER = '+15550100033';
const OTHER_NUMBER = '+15550100034';
const PERSON = '+15550100153';

/**
 * The stdio host on the server that receives the webhooks: agent events are delivered within one process
 * today, so the stdio session and the HTTP host that stores the inbound SMS share it.
 */
function pushOverStdio(label: string, db: () => TestDbSection): void {
  describe(`inbound pushed over MCP stdio (${label})`, () => {
    const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER, OTHER_NUMBER], callbackDelayMs: 5 });
    let server: TestServer;
    let agent: { agentId: string; token: string };
    let other: { agentId: string; token: string };
    const sessions: Array<{ client: Client; ended: Promise<void> }> = [];
    const connect = async (token: string): Promise<Client> => {
      const pipe = stdioPipe();
      const ended = runStdioHost(server.app, token, undefined, pipe.server);
      const client = new Client({ name: 'stdio-push-test', version: '1.0.0' });
      await client.connect(pipe.client);
      sessions.push({ client, ended });
      return client;
    };
    const inbound = (body: string) => sim.injectInboundSms({ url: `${server.url}/webhooks/${agent.agentId}/sms`, from: PERSON, to: AGENT_NUMBER, body });

    beforeAll(async () => {
      await sim.start();
      server = await startTestServer({
        telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 1500 } },
        db: db(),
      });
      agent = await server.createAgent({ name: 'Stdio A', phone: AGENT_NUMBER });
      other = await server.createAgent({ name: 'Stdio B', phone: OTHER_NUMBER });
    });

    afterAll(async () => {
      for (const { client } of sessions) await client.close();
      await server?.close();
      await sim.stop();
    });

    it('subscribes, hears of a signed inbound SMS within 100 ms, reads it; another agent hears nothing', async () => {
      const client = await connect(agent.token);
      const otherClient = await connect(other.token);
      const watch = watchUpdates(client);
      const otherWatch = watchUpdates(otherClient);
      expect(client.getServerCapabilities()?.resources).toEqual({ subscribe: true, listChanged: false });
      await client.subscribeResource({ uri: 'comms://inbox' });
      await otherClient.subscribeResource({ uri: 'comms://inbox' });

      const started = performance.now();
      await inbound('Over stdio: see you at 3');
      const answered = performance.now();
      const update = await watch.next(started);
      const sinceAnswer = Math.max(0, update.at - answered);
      console.info(`stdio push latency: ${sinceAnswer.toFixed(1)} ms after the webhook was answered, ${(update.at - started).toFixed(1)} ms after it was sent`);
      expect(update.uri).toBe('comms://inbox');
      expect(sinceAnswer).toBeLessThan(100 * 2.5);
      const inbox = await readJson<{ received: Array<{ body: string }>; untrustedFields: string[] }>(client, 'comms://inbox');
      expect(inbox.received[0]?.body).toMatch(/^<<untrusted-[0-9a-f]{16}>>Over stdio: see you at 3<<end-untrusted-[0-9a-f]{16}>>$/);
      expect(inbox.untrustedFields).toContain('received[].body');
      await new Promise((r) => setTimeout(r, 150));
      expect(otherWatch.updates).toEqual([]);
    });

    it('returns the reply to a waiting comms_wait_for_message', async () => {
      const client = await connect(agent.token);
      const before = server.app.ports.agentEvents.listenerCount(agent.agentId);
      const waiting = callOk<{ messages: Array<{ body: string }>; timedOut: boolean }>(client, 'comms_wait_for_message', { timeoutSeconds: 5 });
      await eventually(() => (server.app.ports.agentEvents.listenerCount(agent.agentId) === before + 1 ? true : undefined));
      await inbound('the stdio reply');
      const waited = await waiting;
      expect(waited).toMatchObject({ timedOut: false, messages: [{ body: 'the stdio reply' }] });
      expect(server.app.ports.agentEvents.listenerCount(agent.agentId)).toBe(before);
    });

    it('removes the subscriptions when stdin ends', async () => {
      const client = await connect(agent.token);
      await client.subscribeResource({ uri: 'comms://inbox' });
      const withIt = server.app.ports.agentEvents.listenerCount(agent.agentId);
      const session = sessions.find((s) => s.client === client)!;
      await client.close();
      await session.ended;
      expect(server.app.ports.agentEvents.listenerCount(agent.agentId)).toBe(withIt - 1);
      for (const { client: open } of sessions) await open.close();
      await Promise.all(sessions.map((s) => s.ended));
      expect(server.app.ports.agentEvents.listenerCount()).toBe(0);
    });
  });
}

onSqliteAndPostgres(pushOverStdio);
