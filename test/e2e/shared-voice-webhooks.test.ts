import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const RECEPTION = '+15550100081';
const SALES = '+15550100082';
const CALLER = '+15550100181';

/**
 * One voice URL and one status URL for every number of an account (a Vonage application, a Twilio number pool):
 * the call goes to the agent whose number was called, and its progress to that agent's call log.
 */
describe('voice webhooks shared by every agent', () => {
  const twilio = new TwilioSimulator({ ownedNumbers: [RECEPTION, SALES], callbackDelayMs: 5 });
  let server: TestServer;
  let sales: { agentId: string };

  beforeAll(async () => {
    await twilio.start();
    server = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 2000 } },
      extra: { brain: { use: 'mock', options: { replies: ['Sales here, how can I help?'] } } },
    });
    await server.createAgent({ name: 'Reception', phone: RECEPTION });
    sales = await server.createAgent({ name: 'Sales', phone: SALES });
  });
  afterAll(async () => {
    await server?.close();
    await twilio.stop();
  });

  it('answers a call to one number of the pool as that number\'s agent, and logs its progress there', async () => {
    const call = await twilio.placeIncomingCall({
      voiceUrl: `${server.url}/webhooks/voice`, from: CALLER, to: SALES, statusCallbackUrl: `${server.url}/webhooks/voice/status`,
    });
    expect((await call.say('Do you sell gift cards?')).text).toBe('Sales here, how can I help?');
    await call.hangUp();
    const [logged] = await server.app.ports.db.calls.list({ agentId: sales.agentId, limit: 10 });
    expect(logged).toMatchObject({ direction: 'inbound', from: CALLER, to: SALES, provider: 'twilio' });
    await eventually(async () => ((await server.app.ports.db.calls.findById(logged!.id))?.status === 'completed' ? true : undefined));
  });

  it('refuses a forged call and a call to a number no agent has', async () => {
    const forged = twilio.buildIncomingCall({ url: `${server.url}/webhooks/voice`, from: CALLER, to: SALES, signature: 'forged' });
    expect((await fetch(forged.url, { method: 'POST', headers: forged.headers, body: forged.rawBody })).status).toBe(403);
    const nobody = twilio.buildIncomingCall({ url: `${server.url}/webhooks/voice`, from: CALLER, to: '+15550100089' });
    expect((await fetch(nobody.url, { method: 'POST', headers: nobody.headers, body: nobody.rawBody })).status).toBe(404);
  });
});
