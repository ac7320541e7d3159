import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { twilioSms, vonageSms } from '../support/sms-providers.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const AGENT_NUMBER = '+15550100021';
const PERSON = '+15550100152';
const SENDS = 6;

/**
 * `telephony.use: [twilio, vonage]`: a send that the first provider refuses before accepting anything goes to the
 * second, exactly once; a send that may have been accepted (no answer in time) never does.
 */
describe('failover between telephony providers', () => {
  const twilio = twilioSms([AGENT_NUMBER]);
  const vonage = vonageSms([AGENT_NUMBER]);
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let client: Client;

  beforeAll(async () => {
    await Promise.all([twilio.start(), vonage.start()]);
    server = await startTestServer({
      extra: {
        telephony: { use: ['twilio', 'vonage'], providers: { twilio: twilio.telephony().options, vonage: vonage.telephony().options } },
      },
    });
    agent = await server.createAgent({ name: 'Failover agent', phone: AGENT_NUMBER });
    client = await connectHttpClient(server.url, agent.token);
  });
  afterEach(() => {
    twilio.failSends(null);
    vonage.failSends(null);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await Promise.all([twilio.stop(), vonage.stop()]);
  });

  const record = (messageId: string) => server.app.ports.db.messages.findById(messageId);

  it('sends through the first provider while it works, and names it on the message', async () => {
    const sent = await callOk<{ messageId: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'via the first' });
    expect(twilio.sent(sent.providerMessageId)).toMatchObject({ body: 'via the first' });
    expect(vonage.accepted()).toBe(0);
    expect((await record(sent.messageId))?.provider).toBe('twilio');
  });

  it('sends every message through the second, exactly once, while the first answers 503 to everything; its receipts still verify', async () => {
    twilio.failSends({ status: 503 });
    const twilioBefore = twilio.accepted();
    const sent: Array<{ messageId: string; providerMessageId: string }> = [];
    for (let i = 0; i < SENDS; i++) {
      sent.push(await callOk<{ messageId: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: `outage ${i}` }));
    }
    expect(twilio.accepted()).toBe(twilioBefore);
    for (const [i, message] of sent.entries()) {
      expect(vonage.sent(message.providerMessageId)).toMatchObject({ from: AGENT_NUMBER, to: PERSON, body: `outage ${i}` });
      expect((await record(message.messageId))?.provider).toBe('vonage');
    }
    expect(vonage.accepted()).toBe(SENDS);
    // Vonage's own delivery receipts, signed its way, reach the per-agent status URL and are verified by the Vonage member.
    await eventually(async () => ((await record(sent.at(-1)!.messageId))?.status === 'delivered' ? true : undefined));
  });

  it('never fails over after a timeout (the first may have accepted it): the send fails, the second sends nothing', async () => {
    twilio.failSends('timeout');
    const before = vonage.accepted();
    const error = await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'maybe sent' });
    expect(error.code).toBe('PROVIDER_TIMEOUT');
    expect(vonage.accepted()).toBe(before);
    const { messages } = await callOk<{ messages: Array<{ body: string; status: string }> }>(client, 'comms_get_messages', { direction: 'outbound', limit: 100 });
    expect(messages.find((m) => m.body === 'maybe sent')?.status).toBe('failed');
  });

  it('fails over on a rate limit too, but not on a refusal of the message itself', async () => {
    twilio.failSends({ status: 429 });
    const limited = await callOk<{ messageId: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'slow down' });
    expect(vonage.sent(limited.providerMessageId)).toMatchObject({ body: 'slow down' });
    twilio.failSends(null);
    const before = vonage.accepted();
    const refused = await callErr(client, 'comms_send_message', { channel: 'sms', to: '+15005550001', body: 'bad number' });
    expect(refused).toMatchObject({ code: 'INVALID_PHONE_NUMBER', details: { provider: 'twilio' } });
    expect(vonage.accepted()).toBe(before);
  });

  it('reports the last provider\'s failure, naming every provider tried, when both refuse before accepting', async () => {
    twilio.failSends({ status: 503 });
    vonage.failSends({ status: 503 });
    const error = await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'nobody can' });
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { provider: 'vonage', triedProviders: 'twilio,vonage' } });
  });

  it('verifies and parses inbound messages with the provider that signed them', async () => {
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const fromTwilio = await twilio.inbound({ url, from: PERSON, to: AGENT_NUMBER, body: 'hello via twilio' });
    const fromVonage = await vonage.inbound({ url, from: PERSON, to: AGENT_NUMBER, body: 'hello via vonage' });
    expect([fromTwilio.status, fromVonage.status]).toEqual([200, 200]);
    const inbound = await server.app.ports.db.messages.list({ agentId: agent.agentId, direction: 'inbound', limit: 10 });
    expect(inbound.map((m) => [m.body, m.provider, m.providerMessageId])).toEqual(expect.arrayContaining([
      ['hello via twilio', 'twilio', fromTwilio.providerMessageId],
      ['hello via vonage', 'vonage', fromVonage.providerMessageId],
    ]));
    expect((await vonage.inbound({ url, from: PERSON, to: AGENT_NUMBER, body: 'forged', signature: 'forged' })).status).toBe(403);
  });
});
