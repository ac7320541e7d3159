import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { eventually } from '../support/callback-receiver.js';
import { simulatedDeployment, startBalancedInstances, type BalancedInstances } from '../support/balanced-instances.js';
import { HAPROXY } from '../support/haproxy.js';
import { watchUpdates } from '../support/inbox-watch.js';
import { POSTGRES_URL } from '../support/postgres-schema.js';
import { createAgentOver, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';

const AGENT_NUMBER = '+15550100043';
const PERSON = '+15550100163';
const INBOX = 'comms://inbox';

/** One HTTP exchange of the client through the balancer: which backend (s1, s2, s3) answered it. */
interface Routed { method: string; rpc: string | undefined; servedBy: string; status: number }

/** What one round of the first test saw: where the subscribe, the webhook and the unsubscribe landed. */
interface Round { stream: string; subscribedOn: string; webhookOn: string | undefined; unsubscribedOn: string }

/**
 * Resource subscriptions through a real HAProxy in front of three server processes on one PostgreSQL, round
 * robin and no stickiness. The SDK client's standalone GET stream is held by one instance; its
 * `resources/subscribe` and `resources/unsubscribe` POSTs and the provider's inbound SMS webhooks land on any
 * instance. The client hears `notifications/resources/updated` once per message while subscribed and never
 * after unsubscribing, wherever each request landed; and when the instance holding its stream is SIGKILLed,
 * the stream the client opens again on another instance still carries the subscription.
 */
describe.skipIf(!POSTGRES_URL || !HAPROXY)('MCP resource subscriptions through HAProxy, three instances, no stickiness', { timeout: 300_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  let deployment: BalancedInstances<ServerProcess>;
  let servers: ServerProcess[];
  let balancer: BalancedInstances<ServerProcess>['balancer'];
  let agent: { agentId: string; token: string };
  const clients: Client[] = [];
  const inbound = (body: string) =>
    sim.injectInboundSms({ url: `${balancer.url}/webhooks/${agent.agentId}/sms`, from: PERSON, to: AGENT_NUMBER, body });

  /** An SDK client through the balancer, recording which backend answered each of its HTTP exchanges. */
  async function connectClient() {
    const routed: Routed[] = [];
    const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      const rpc = init?.method === 'POST' && typeof init.body === 'string' ? (JSON.parse(init.body) as { method?: string }).method : undefined;
      routed.push({ method: init?.method ?? 'GET', rpc, servedBy: response.headers.get('x-served-by') ?? 'unknown', status: response.status });
      return response;
    };
    const client = new Client({ name: 'subscribed-client', version: '1.0.0' });
    clients.push(client);
    const watch = watchUpdates(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${balancer.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${agent.token}` } }, fetch: recording,
    }));
    const streams = () => routed.filter((r) => r.method === 'GET' && r.status === 200);
    return {
      client,
      watch,
      routed,
      /** The backend holding the client's standalone GET stream (its latest). */
      currentStream: () => streams().at(-1)?.servedBy ?? 'none',
      /** The backend of the first GET stream opened after `count` streams, once the client has opened it. */
      streamAfter: (count: number) => eventually(() => streams()[count]?.servedBy, 20_000),
      streamCount: () => streams().length,
      /** The backend that answered the first `rpc` request from exchange `from` on. */
      servedSince: (from: number, rpc: string) => routed.slice(from).find((r) => r.rpc === rpc)?.servedBy ?? 'unknown',
    };
  }

  beforeAll(async () => {
    await sim.start();
    deployment = await startBalancedInstances({
      poolMax: 4,
      config: (shared) => serverProcessConfig({
        ...shared,
        ...simulatedDeployment(sim, { server: { host: '127.0.0.1', port: 0, mcp: { sessionRecheckMs: 0 } } }),
      }),
      start: startServerProcess,
    });
    ({ servers, balancer } = deployment);
    agent = await createAgentOver(balancer.url, { name: 'Subscribed', phone: AGENT_NUMBER });
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) await client.close();
    await deployment?.stop();
    await sim.stop();
  }, 60_000);

  it('notifies the stream once per message wherever the subscribe and the webhook land, and not after an unsubscribe', async () => {
    const { client, watch, currentStream, streamAfter, servedSince, routed } = await connectClient();
    // The SDK client opens its GET stream on its own, just after initializing.
    await streamAfter(0);
    const rounds: Round[] = [];
    let expected = 0;
    const start = performance.now();
    for (let i = 0; i < 6; i++) {
      let from = routed.length;
      await client.subscribeResource({ uri: INBOX });
      const subscribedOn = servedSince(from, 'resources/subscribe');
      const since = performance.now();
      const delivery = await inbound(`subscribed ${i}`);
      expect(delivery.status).toBe(200);
      expect((await watch.next(since, 15_000)).uri).toBe(INBOX);
      expected += 1;

      from = routed.length;
      await client.unsubscribeResource({ uri: INBOX });
      rounds.push({ stream: currentStream(), subscribedOn, webhookOn: delivery.headers['x-served-by'], unsubscribedOn: servedSince(from, 'resources/unsubscribe') });
      // Not heard: proven below by the count, since the next round's update comes after it on the same stream.
      expect((await inbound(`unsubscribed ${i}`)).status).toBe(200);
    }
    // A last subscribed message: any update for the unsubscribed one before it would already be counted.
    await client.subscribeResource({ uri: INBOX });
    const since = performance.now();
    expect((await inbound('last')).status).toBe(200);
    await watch.next(since, 15_000);
    expected += 1;
    expect(watch.updates.filter((u) => u.at >= start)).toHaveLength(expected);

    // The rounds did land elsewhere than the stream: subscribes, unsubscribes, and rounds where all three differ.
    expect(rounds.filter((r) => r.subscribedOn !== r.stream).length).toBeGreaterThan(0);
    expect(rounds.filter((r) => r.unsubscribedOn !== r.stream).length).toBeGreaterThan(0);
    const allApart = rounds.filter((r) => r.webhookOn && new Set([r.stream, r.subscribedOn, r.webhookOn]).size === 3);
    expect(allApart.length).toBeGreaterThan(0);
    await client.unsubscribeResource({ uri: INBOX });
  });

  it('keeps the subscriptions when the instance holding the stream is SIGKILLed: the reopened stream is notified', async () => {
    // A session of its own, subscribed through the very instance that holds its stream and then dies.
    const { client, watch, streamAfter, streamCount, servedSince, routed } = await connectClient();
    const stream = await streamAfter(0);
    // Round robin: once a ping is answered by the backend before the holder (s1 → s2 → s3 → s1), the next
    // request goes to the holder. Subscribing only there leaves no other instance a chance to remember it.
    const before = `s${((Number(stream.slice(1)) + 1) % 3) + 1}`;
    for (let pings = 0, last = ''; last !== before; pings++) {
      expect(pings).toBeLessThan(20);
      const from = routed.length;
      await client.ping();
      last = servedSince(from, 'ping');
    }
    const from = routed.length;
    await client.subscribeResource({ uri: INBOX });
    expect(servedSince(from, 'resources/subscribe')).toBe(stream);
    const opened = streamCount();
    await servers[Number(stream.slice(1)) - 1]!.kill();
    // The SDK client opens its GET stream again (through the balancer, so on a surviving instance).
    expect(await streamAfter(opened)).not.toBe(stream);

    const start = performance.now();
    for (let i = 0; i < 3; i++) {
      const since = performance.now();
      const delivery = await inbound(`after the kill ${i}`);
      expect(delivery.status).toBe(200);
      expect((await watch.next(since, 15_000)).uri).toBe(INBOX);
    }
    await client.unsubscribeResource({ uri: INBOX });
    expect((await inbound('after the kill, unsubscribed')).status).toBe(200);
    await client.subscribeResource({ uri: INBOX });
    const since = performance.now();
    expect((await inbound('after the kill, last')).status).toBe(200);
    await watch.next(since, 15_000);
    expect(watch.updates.filter((u) => u.at >= start)).toHaveLength(4);
  });

  it('logs no personal data about the subscriptions and their notifications', () => {
    for (const server of servers) {
      expect(server.output()).not.toContain(PERSON);
      expect(server.output()).not.toContain('subscribed 0');
    }
  });
});
