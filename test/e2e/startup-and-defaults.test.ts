import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { CallbackReceiver } from '../support/callback-receiver.js';
import { recordingLogger, startTestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

describe('start-up warnings and server-wide defaults', () => {
  const sim = new TwilioSimulator();
  const receiver = new CallbackReceiver();
  beforeAll(async () => {
    await sim.start();
    await receiver.start();
  });
  afterAll(async () => {
    await sim.stop();
    await receiver.stop();
  });

  it('warns when a real telephony provider is configured with a loopback public URL', async () => {
    const logger = recordingLogger();
    const server = await startTestServer({
      logger,
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl } },
    });
    await server.close();
    expect(logger.lines.some((l) => l.level === 'warn' && /loopback/.test(l.msg) && /PUBLIC_BASE_URL/.test(l.msg))).toBe(true);

    const demo = recordingLogger();
    await (await startTestServer({ logger: demo })).close();
    expect(demo.lines.some((l) => /loopback/.test(l.msg))).toBe(false);
  });

  it('forwards inbound messages of agents without their own callback URL to AGENTOS_CALLBACK_URL, signed with the agent secret', async () => {
    const server = await startTestServer({ callbackUrl: receiver.url });
    try {
      const agent = await server.createAgent({ name: 'No callback of its own', phone: '+15550100095' });
      const url = `${server.url}/webhooks/${agent.agentId}/sms`;
      const body = new URLSearchParams({ MessageSid: 'MOCKDEF1', From: '+15550100195', To: '+15550100095', Body: 'to the default endpoint' }).toString();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': signMockWebhook('demo-secret', url, body) }, body });
      expect(res.status).toBe(200);
      const [forwarded] = await receiver.waitFor(1);
      const event = new Webhook(agent.callbackSecret).verify(forwarded!.body, {
        'webhook-id': String(forwarded!.headers['webhook-id']),
        'webhook-timestamp': String(forwarded!.headers['webhook-timestamp']),
        'webhook-signature': String(forwarded!.headers['webhook-signature']),
      }) as { agentId: string; data: { body: string } };
      expect(event).toMatchObject({ agentId: agent.agentId, data: { body: 'to the default endpoint' } });
    } finally {
      await server.close();
    }
  });
});
