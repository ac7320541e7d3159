import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { simulatedDeployment, startBalancedInstances, type BalancedInstances } from '../support/balanced-instances.js';
import { HAPROXY } from '../support/haproxy.js';
import { POSTGRES_URL } from '../support/postgres-schema.js';
import { restCall, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN } from '../support/test-server.js';

const AGENT_NUMBER = '+15550100041';
const SENDS = 60;
const INBOUND_BEFORE = 15;
const INBOUND_AFTER = 15;

interface Sent { messageId: string; providerMessageId: string | null }
/** A send's final answer: sent, or PROVIDER_TIMEOUT (the provider may have it; the key keeps answering so). */
type Outcome = { sent: Sent } | { unknown: string };

/**
 * Production's shape: three server processes on one PostgreSQL behind a real HAProxy (round robin, no
 * stickiness, retrying a request whose backend vanished), one of them SIGKILLed in the middle of the
 * traffic. Clients retry with their idempotency keys as the API tells them to; the provider's webhooks
 * arrive through the balancer. Every send goes out exactly once, every inbound message is stored once, and
 * after the kill no callback is delivered twice.
 */
describe.skipIf(!POSTGRES_URL || !HAPROXY)('three instances behind HAProxy, one killed under load', { timeout: 300_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5, webhookTimeoutMs: 30_000 });
  const receiver = new CallbackReceiver();
  let deployment: BalancedInstances<ServerProcess>;
  let servers: ServerProcess[];
  let balancer: BalancedInstances<ServerProcess>['balancer'];

  beforeAll(async () => {
    await sim.start();
    await receiver.start();
    deployment = await startBalancedInstances({
      poolMax: 6,
      config: (shared) => serverProcessConfig({
        ...shared,
        ...simulatedDeployment(sim, {
          // A send the killed process left unanswered is settled by the survivors within seconds.
          recovery: { stuckAfterSeconds: 3, intervalSeconds: 1 },
          callbacks: { pollIntervalMs: 200 },
        }),
      }),
      start: startServerProcess,
    });
    ({ servers, balancer } = deployment);
  }, 240_000);

  afterAll(async () => {
    await deployment?.stop();
    await receiver.stop();
    await sim.stop();
  }, 60_000);

  /** A client that retries as the API asks: on a lost connection, a 5xx, or a send still in progress. */
  async function sendUntilAnswered(token: string, key: string): Promise<Outcome> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await restCall<Sent & { error?: { code: string; details?: { messageId?: string } } }>(balancer.url, token, 'POST', '/messages', { channel: 'sms', to: '+15550100141', body: `order ${key}`, idempotencyKey: key })
        .catch(() => null);
      if (answer?.status === 201) return { sent: answer.body };
      // The provider's connection dropped mid-request: the API says so and the key keeps answering it.
      if (answer?.body.error?.code === 'PROVIDER_TIMEOUT') return { unknown: answer.body.error.details?.messageId ?? '' };
      const retryable = answer === null || answer.status >= 500 || answer.body.error?.code === 'IDEMPOTENCY_IN_PROGRESS';
      if (!retryable || Date.now() > deadline) throw new Error(`send ${key} failed: ${JSON.stringify(answer)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const inbound = (agentId: string, i: number) =>
    sim.injectInboundSms({ url: `${balancer.url}/webhooks/${agentId}/sms`, from: `+1555010${String(2000 + i)}`, to: AGENT_NUMBER, body: `reply ${i}` });

  it('sends each message once, stores each inbound once, and delivers no callback twice after the kill', async () => {
    const created = await restCall<{ agentId: string; token: string }>(balancer.url, ADMIN_TOKEN, 'POST', '/agents', { name: 'Shop', phone: AGENT_NUMBER, callbackUrl: receiver.url });
    expect(created.status).toBe(201);
    const { agentId, token } = created.body;

    // Nine clients send concurrently while inbound messages arrive; instance 2 dies a third of the way in.
    const keys = Array.from({ length: SENDS }, (_, i) => `order-${i}`);
    let done = 0;
    let killed: Promise<void> | null = null;
    const queue = [...keys];
    const answers = new Map<string, Outcome>();
    const client = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        answers.set(key, await sendUntilAnswered(token, key));
        if (++done === SENDS / 3) killed = servers[1]!.kill();
      }
    };
    const before = Promise.all(Array.from({ length: INBOUND_BEFORE }, (_, i) => inbound(agentId, i)));
    await Promise.all(Array.from({ length: 9 }, client));
    await killed;
    const after = await Promise.all(Array.from({ length: INBOUND_AFTER }, (_, i) => inbound(agentId, INBOUND_BEFORE + i)));
    const deliveries = [...(await before), ...after];

    // Each send: one final answer and one stored message; the provider has every sent one exactly once
    // and nothing twice (a PROVIDER_TIMEOUT answer, when the provider's connection dropped, may or may not).
    expect(answers.size).toBe(SENDS);
    await sim.settled();
    const atProvider = sim.messages.map((m) => m.body);
    expect(new Set(atProvider).size).toBe(atProvider.length);
    const sentKeys = keys.filter((key) => 'sent' in answers.get(key)!);
    for (const key of sentKeys) expect(atProvider.filter((body) => body === `order ${key}`)).toHaveLength(1);
    const unknown = SENDS - sentKeys.length;
    console.log(`load balancer: ${sentKeys.length} sent, ${unknown} answered PROVIDER_TIMEOUT, ${atProvider.length} at the provider`);
    expect(unknown).toBeLessThan(SENDS / 10);
    const [outbound] = await deployment.query<{ n: string; keys: string }>(
      `select count(*) as n, count(distinct idempotency_key) as keys from "${deployment.schema}".messages where direction = 'outbound'`,
    );
    expect(outbound).toEqual({ n: String(SENDS), keys: String(SENDS) });

    // Each inbound webhook: answered 200 through the balancer, stored once.
    expect(deliveries.filter((d) => d.status !== 200)).toEqual([]);
    const [stored] = await deployment.query<{ n: string; sids: string }>(
      `select count(*) as n, count(distinct provider_message_id) as sids from "${deployment.schema}".messages where direction = 'inbound'`,
    );
    expect(stored).toEqual({ n: String(INBOUND_BEFORE + INBOUND_AFTER), sids: String(INBOUND_BEFORE + INBOUND_AFTER) });

    // Callbacks: every inbound message reaches the agent; those that arrived after the kill exactly once
    // (before it, the killed process may have been delivering one it could not record: a legitimate retry).
    const received = () => receiver.received
      .map((r) => ({ id: String(r.headers['webhook-id']), event: JSON.parse(r.body) as { type: string; data: { body?: string } } }))
      .filter((r) => r.event.type === 'message.received');
    await eventually(() => (new Set(received().map((r) => r.event.data.body)).size === INBOUND_BEFORE + INBOUND_AFTER ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const afterKill = received().filter((r) => Number(/\d+$/.exec(r.event.data.body ?? '')?.[0]) >= INBOUND_BEFORE);
    expect(afterKill).toHaveLength(INBOUND_AFTER);
    expect(new Set(afterKill.map((r) => r.id)).size).toBe(INBOUND_AFTER);
  });
});
