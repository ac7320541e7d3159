import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackReceiver, eventually } from '../support/callback-receiver.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { VonageSimulator } from '../simulators/vonage/vonage-simulator.js';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';

const AGENT = '+15550100061';
const OTHER_AGENT = '+15550100062';
const PERSON = '+15550100161';
const TWILIO_OPTED_OUT = '+15005550004';
const OFF_QUIET = { quietHours: { enabled: false } };

interface Listed { messages: Array<{ id: string; direction: string; from: string; to: string; body: string; metadata: Record<string, unknown> }> }

const twilio = (sim: TwilioSimulator) => ({ use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 3000 } });

describe('SMS opt-out keywords through signed Twilio webhooks, then refused sends (MCP)', () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT, OTHER_AGENT], callbackDelayMs: 5 });
  const receiver = new CallbackReceiver();
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let client: Client;
  let other: Client;

  beforeAll(async () => {
    await sim.start();
    await receiver.start();
    server = await startTestServer({ telephony: twilio(sim), extra: { compliance: OFF_QUIET } });
    agent = await server.createAgent({ name: 'Opt-out agent', phone: AGENT, callbackUrl: receiver.url });
    client = await connectHttpClient(server.url, agent.token);
    other = await connectHttpClient(server.url, (await server.createAgent({ name: 'Other', phone: OTHER_AGENT })).token);
  });
  afterAll(async () => {
    await client?.close();
    await other?.close();
    await server?.close();
    await receiver.stop();
    await sim.stop();
  });

  const inbound = (body: string) => sim.injectInboundSms({ url: `${server.url}/webhooks/${agent.agentId}/sms`, from: PERSON, to: AGENT, body });
  const repliesTo = (person: string) => sim.messages.filter((m) => m.from === AGENT && m.to === person && m.body !== 'before');
  const sends = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')).length;

  it('a STOP (any case, surrounding spaces) is stored and forwarded with optOut: true, confirmed once, and later sends answer OPTED_OUT without calling Twilio', async () => {
    await callOk(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'before' });
    const stop = await inbound('  sToP ');
    expect(stop.status).toBe(200);
    expect(await sim.redeliverInboundSms(stop.messageSid)).toMatchObject({ status: 200 });

    const { messages } = await callOk<Listed>(client, 'comms_get_messages', { direction: 'inbound', contact: PERSON });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.metadata).toMatchObject({ keyword: 'optOut', optOut: true });
    const [forwarded] = await receiver.waitFor(1);
    expect(JSON.parse(forwarded!.body)).toMatchObject({ type: 'message.received', data: { body: '  sToP ', metadata: { optOut: true } } });

    const confirmation = await eventually(async () => (repliesTo(PERSON).length === 1 ? repliesTo(PERSON) : undefined));
    expect(confirmation[0]!.body).toMatch(/unsubscribed/);

    const before = sends();
    const refused = await callErr(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'are you there?' });
    expect(refused).toMatchObject({ code: 'OPTED_OUT', details: { channel: 'sms', source: 'keyword' } });
    expect(refused.nextStep).toMatch(/START/);
    expect(sends()).toBe(before);
    expect(repliesTo(PERSON)).toHaveLength(1);

    const check = await callOk<{ allowed: boolean; reasons: Array<{ code: string }> }>(client, 'comms_check_contact', { to: PERSON, channel: 'sms' });
    expect(check).toMatchObject({ allowed: false, reasons: [{ code: 'OPTED_OUT' }] });
    // Per sender number by default: another agent's number may still write.
    await callOk(other, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'from another number' });
  });

  it('START opts back in (confirmed), HELP answers the help text without opting out', async () => {
    await inbound('START');
    await eventually(async () => (repliesTo(PERSON).some((m) => /resubscribed/.test(m.body)) ? true : undefined));
    await callOk(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'welcome back' });
    await inbound('help');
    await eventually(async () => (repliesTo(PERSON).some((m) => /Reply STOP/.test(m.body) && /Automated/.test(m.body)) ? true : undefined));
    await callOk(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'still here' });
    // Not a keyword: words around it.
    await inbound('please stop calling me at work');
    await callOk(client, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'noted' });
  });

  it('Twilio\'s own opt-out (error 21610) answers OPTED_OUT and is remembered: the next send does not reach Twilio', async () => {
    const first = await callErr(client, 'comms_send_message', { channel: 'sms', to: TWILIO_OPTED_OUT, body: 'hello' });
    expect(first).toMatchObject({ code: 'OPTED_OUT', details: { providerCode: 21610 } });
    const before = sends();
    const second = await callErr(client, 'comms_send_message', { channel: 'sms', to: TWILIO_OPTED_OUT, body: 'hello again' });
    expect(second).toMatchObject({ code: 'OPTED_OUT', details: { source: 'provider' } });
    expect(sends()).toBe(before);
  });
});

describe('SMS keywords left to the provider, opt-outs for the whole operator', () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT, OTHER_AGENT], callbackDelayMs: 5 });
  let server: TestServer;

  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({ telephony: twilio(sim), extra: { compliance: { ...OFF_QUIET, optOut: { smsReplies: 'provider', scope: 'operator' } } } });
  });
  afterAll(async () => {
    await server?.close();
    await sim.stop();
  });

  it('sends no confirmation of its own, and the opt-out binds every agent', async () => {
    const a = await server.createAgent({ name: 'A', phone: AGENT });
    const b = await server.createAgent({ name: 'B', phone: OTHER_AGENT });
    expect((await sim.injectInboundSms({ url: `${server.url}/webhooks/${a.agentId}/sms`, from: PERSON, to: AGENT, body: 'UNSUBSCRIBE' })).status).toBe(200);
    expect(sim.messages.filter((m) => m.to === PERSON)).toEqual([]);
    const clientB = await connectHttpClient(server.url, b.token);
    try {
      expect((await callErr(clientB, 'comms_send_message', { channel: 'sms', to: PERSON, body: 'hi' })).code).toBe('OPTED_OUT');
    } finally {
      await clientB.close();
    }
  });
});

describe('WhatsApp STOP through a signed Vonage webhook', () => {
  const SENDER = '+15550100063';
  const sim = new VonageSimulator({ whatsappNumbers: [SENDER], statusDelayMs: 5 });
  let server: TestServer;
  let client: Client;
  let agentId: string;

  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      extra: {
        compliance: OFF_QUIET,
        whatsapp: { use: 'vonage', options: { apiKey: sim.apiKey, apiSecret: sim.apiSecret, signatureSecret: sim.signatureSecret, apiHost: sim.baseUrl, timeoutMs: 3000 } },
      },
    });
    const agent = await server.createAgent({ name: 'WA', whatsapp: SENDER });
    agentId = agent.agentId;
    client = await connectHttpClient(server.url, agent.token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await sim.stop();
  });

  it('stores it with optOut: true, confirms on WhatsApp, and refuses the next message with OPTED_OUT', async () => {
    const url = `${server.url}/webhooks/${agentId}/whatsapp`;
    await sim.injectInbound({ url, from: PERSON, to: SENDER, text: 'Hello' });
    await callOk(client, 'comms_send_message', { channel: 'whatsapp', to: PERSON, body: 'Hi! How can I help?' });
    expect((await sim.injectInbound({ url, from: PERSON, to: SENDER, text: 'Stop' })).status).toBe(200);
    const { messages } = await callOk<Listed>(client, 'comms_get_messages', { channel: 'whatsapp', direction: 'inbound' });
    expect(messages.find((m) => m.body === 'Stop')?.metadata).toMatchObject({ optOut: true });
    await eventually(async () => (JSON.stringify(sim.messages.map((m) => m.body)).includes('unsubscribed') ? true : undefined));
    expect((await callErr(client, 'comms_send_message', { channel: 'whatsapp', to: PERSON, body: 'one more thing' })).code).toBe('OPTED_OUT');
  });
});

describe('Marketing email: CAN-SPAM footer, RFC 8058 one-click unsubscribe (Resend)', () => {
  const ADDRESS = 'ACME Inc., 1 Example Street, Springfield, ST 00000';
  const sim = new ResendSimulator({ eventDelayMs: 5 });
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      extra: {
        compliance: { ...OFF_QUIET, email: { physicalAddress: ADDRESS } },
        email: { use: 'resend', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: 3000 } },
      },
    });
    client = await connectHttpClient(server.url, (await server.createAgent({ name: 'Mail', email: 'news@example.com' })).token);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await sim.stop();
  });

  const marketing = (to: string | string[]) => ({ channel: 'email', to, subject: 'Winter sale', text: 'Everything half price.', html: '<html><body><p>Everything half price.</p></body></html>', purpose: 'marketing' });

  it('adds the postal address, an unsubscribe link and List-Unsubscribe headers; the link unsubscribes with one POST, no login', async () => {
    await callOk(client, 'comms_send_message', marketing('ada@example.com'));
    const mail = sim.emails.at(-1)!;
    const link = /<(http[^>]+)>/.exec(mail.headers['List-Unsubscribe'] ?? '')?.[1];
    expect(link).toMatch(new RegExp(`^${server.url}/unsubscribe/agt_`));
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.text).toContain(ADDRESS);
    expect(mail.text).toContain(link!);
    expect(mail.html).toMatch(/Unsubscribe<\/a>.*<\/body>/s);
    expect(mail.text).not.toContain('ada@example.com');

    // A mail scanner's GET unsubscribes nobody: it shows a button.
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    await callOk(client, 'comms_send_message', marketing('ada@example.com'));

    const click = await fetch(link!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(click.status).toBe(200);
    const sent = sim.emails.length;
    expect(await callErr(client, 'comms_send_message', marketing('ADA@example.com'))).toMatchObject({ code: 'OPTED_OUT', details: { channel: 'email', scope: 'marketing' } });
    expect(sim.emails.length).toBe(sent);
    // Transactional mail still goes.
    await callOk(client, 'comms_send_message', { channel: 'email', to: 'ada@example.com', subject: 'Your receipt', text: 'Thanks for your order.' });

    const forged = await fetch(link!.replace(/.$/, (c) => (c === '0' ? '1' : '0')), { method: 'POST' });
    expect(forged.status).toBe(404);
  });

  it('goes to one recipient at a time, and needs the postal address configured', async () => {
    expect((await callErr(client, 'comms_send_message', marketing(['a@example.com', 'b@example.com']))).code).toBe('INVALID_INPUT');
    const bare = await startTestServer({ extra: { compliance: OFF_QUIET, email: { use: 'mock' } } });
    try {
      const { agentId } = await bare.createAgent({ name: 'Bare', email: 'bare@example.com' });
      const error = await bare.app.runner.run('comms_send_message', { kind: 'agent', agentId }, marketing('c@example.com')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CHANNEL_NOT_CONFIGURED', details: { setting: 'compliance.email.physicalAddress' } });
    } finally {
      await bare.close();
    }
  });
});
