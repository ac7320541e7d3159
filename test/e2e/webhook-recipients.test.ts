import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const A_NUMBER = '+15550100144';
const B_NUMBER = '+15550100145';
const PERSON = '+15550100146';

interface Signed { url: string; headers: Record<string, string>; rawBody: string }

/** Sends a signed webhook as captured, to `url` (its own, or another agent's). */
async function replay(webhook: Signed, url = webhook.url): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(url, { method: 'POST', headers: webhook.headers, body: webhook.rawBody });
  const text = await res.text();
  return { status: res.status, code: text.startsWith('{') ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined };
}

async function inbound(server: TestServer, agentId: string): Promise<number> {
  return (await server.app.ports.db.messages.list({ agentId, direction: 'inbound', limit: 100 })).length;
}

describe('a Resend (Svix) webhook captured on agent A\'s URL and re-sent to agent B\'s', () => {
  const sim = new ResendSimulator({ eventDelayMs: 5 });
  let server: TestServer;
  let a: string;
  let b: string;
  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      extra: { email: { use: 'resend', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: 1500 } } },
    });
    ({ agentId: a } = await server.createAgent({ name: 'A', email: 'a@example.com' }));
    ({ agentId: b } = await server.createAgent({ name: 'B', email: 'b@example.com' }));
  });
  afterAll(async () => {
    await server?.close();
    await sim.stop();
  });

  it('is refused with 403 on B\'s URL (the mail was not sent to B) and nothing is stored for B; A\'s URL takes it', async () => {
    const { webhook } = sim.buildInbound({ url: `${server.url}/webhooks/${a}/email`, from: 'ada@example.com', to: ['a@example.com'], subject: 'For A' });
    expect(await replay(webhook, `${server.url}/webhooks/${b}/email`)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await inbound(server, b)).toBe(0);
    expect((await replay(webhook)).status).toBe(200);
    expect(await inbound(server, a)).toBe(1);
  });
});

describe('a Vonage SMS API webhook (its `sig` does not cover the URL) re-sent to another agent\'s URL', () => {
  const sim = new VonageTelephonySimulator({ numbers: [A_NUMBER, B_NUMBER], statusDelayMs: 5 });
  let server: TestServer;
  let a: string;
  let b: string;
  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      telephony: {
        use: 'vonage',
        options: {
          apiKey: sim.apiKey, apiSecret: sim.apiSecret, signatureSecret: sim.signatureSecret, signatureMethod: sim.signatureMethod,
          restHost: sim.baseUrl, apiHost: sim.baseUrl, timeoutMs: 3000,
        },
      },
    });
    ({ agentId: a } = await server.createAgent({ name: 'A', phone: A_NUMBER }));
    ({ agentId: b } = await server.createAgent({ name: 'B', phone: B_NUMBER }));
  });
  afterAll(async () => {
    await server?.close();
    await sim.stop();
  });

  it('is refused with 403 and nothing is stored for B', async () => {
    const sms = sim.buildInboundSms({ url: `${server.url}/webhooks/${a}/sms`, from: PERSON, to: A_NUMBER, text: 'For A only' });
    expect(await replay(sms, `${server.url}/webhooks/${b}/sms`)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await inbound(server, b)).toBe(0);
    expect((await replay(sms)).status).toBe(200);
    expect(await inbound(server, a)).toBe(1);
  });
});

describe('Twilio webhooks whose numbers are not E.164', () => {
  const sim = new TwilioSimulator({ ownedNumbers: [A_NUMBER], callbackDelayMs: 5 });
  let server: TestServer;
  let a: string;
  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 2000 } },
    });
    ({ agentId: a } = await server.createAgent({ name: 'A', phone: A_NUMBER }));
  });
  afterAll(async () => {
    await server?.close();
    await sim.stop();
  });

  it('a validly signed SMS whose From carries text moved out of another field is refused with 400, nothing stored', async () => {
    const url = `${server.url}/webhooks/${a}/sms`;
    const moved = sim.buildInboundSms({ url, from: `${PERSON}BodyHello`, to: A_NUMBER, body: '' });
    expect(await replay(moved)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    const toNotANumber = sim.buildInboundSms({ url, from: PERSON, to: `${A_NUMBER}x`, body: 'Hi' });
    expect(await replay(toNotANumber)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await inbound(server, a)).toBe(0);
    // A short code may send a text.
    expect((await replay(sim.buildInboundSms({ url, from: '72345', to: A_NUMBER, body: 'Your code' }))).status).toBe(200);
  });
});
