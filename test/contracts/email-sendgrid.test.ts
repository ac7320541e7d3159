import type { CredentialCheck } from '../../ports/credential-check.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sendGridPlugin from '../../adapters/sendgrid/plugin.js';
import type { SendGridOptions } from '../../adapters/sendgrid/sendgrid-options.js';
import { expectFailure } from '../../contracts/domain-error-assertions.js';
import { describeEmailContract, type EmailFault, type EmailHarness, type FarSideMail } from '../../contracts/email.js';
import type { EmailPort } from '../../ports/email.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { SignedEventWebhook } from '../simulators/sendgrid/sendgrid-event-signing.js';
import type { InboundParsePost } from '../simulators/sendgrid/sendgrid-inbound-post.js';
import type { SimulatedMail } from '../simulators/sendgrid/sendgrid-mail-request.js';
import { SendGridSimulator } from '../simulators/sendgrid/sendgrid-simulator.js';
import { WebhookReceiver } from '../simulators/shared/webhook-receiver.js';
import { emailTestContext, type EmailTestContext } from './email-plugin-context.js';

const WEBHOOK_URL = 'https://comms.example.com/webhooks/email';
/** Generous: only the tests of a provider that never answers wait it out, and a loaded machine must not look like one. */
const TIMEOUT_MS = 2000;
const RETRY_AFTER_SECONDS = 3;
/** Until cleared: every request meets the fault. */
const UNTIL_CLEARED = Number.MAX_SAFE_INTEGER;

function farSide(mail: SimulatedMail): FarSideMail {
  return {
    from: mail.from, to: mail.to, cc: mail.cc, bcc: mail.bcc, replyTo: mail.replyTo, subject: mail.subject, text: mail.text, html: mail.html,
    attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: new Uint8Array(a.content) })),
    headers: Object.fromEntries(Object.entries(mail.headers).map(([name, value]) => [name.toLowerCase(), value])),
  };
}

function asRequest(webhook: SignedEventWebhook | InboundParsePost): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: { ...webhook.headers }, rawBody: webhook.rawBody, ...('rawBytes' in webhook ? { rawBytes: webhook.rawBytes } : {}), params: {} };
}

function playFault(sim: SendGridSimulator, fault: EmailFault | null): void {
  sim.clearFaults();
  if (fault === 'server-error') sim.failNext({ status: 500, times: UNTIL_CLEARED });
  if (fault === 'rate-limit') sim.failNext({ status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, times: UNTIL_CLEARED });
  if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
  if (fault === 'auth-failure') sim.failNext({ status: 401, times: UNTIL_CLEARED });
}

function options(sim: SendGridSimulator, overrides: Partial<SendGridOptions> = {}): SendGridOptions {
  const { username, password } = sim.parseCredentials;
  return {
    apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: TIMEOUT_MS, eventWebhookPublicKey: sim.eventWebhookPublicKey,
    inboundParse: { username, password }, ...overrides,
  };
}

let contractSim: SendGridSimulator;
let contractContext: EmailTestContext;

describeEmailContract({
  name: 'sendgrid (official packages against the SendGrid simulator)',
  capabilities: { inboundWebhook: true, attachments: true, idempotencyKeys: false },
  // A refused connection is shown below; a dropped one may have been accepted (PROVIDER_TIMEOUT), as with Twilio.
  faults: ['server-error', 'rate-limit', 'timeout', 'auth-failure'],
  inboundAuthCoversBody: false,
  async factory() {
    contractSim = new SendGridSimulator();
    await contractSim.start();
    contractContext = emailTestContext();
    const sim = contractSim;
    const harness: EmailHarness = {
      secrets: [sim.apiKey, sim.parseCredentials.password ?? ''],
      rateLimitRetryAfterSeconds: RETRY_AFTER_SECONDS,
      received: async () => sim.mails.map(farSide),
      injectFault: (fault) => playFault(sim, fault),
      // Inbound Parse carries no timestamp: nothing about it can be stale.
      inboundWebhook: async (mail, signing) => (signing === 'stale' ? null : asRequest(await sim.buildInbound(WEBHOOK_URL, mail, signing))),
      statusWebhook: async (providerMessageId, outcome) =>
        asRequest(sim.buildEvents({ url: WEBHOOK_URL, messageId: providerMessageId, kind: outcome === 'delivered' ? 'delivered' : 'bounce' })),
    };
    return { port: await sendGridPlugin.create(options(sim), contractContext.ctx), harness };
  },
  async teardown() {
    await contractSim.stop();
    contractContext.dispose();
  },
});

describe('sendgrid adapter: beyond the contract', () => {
  const sim = new SendGridSimulator({ eventDelayMs: 1, verifiedSenderDomains: ['example.com'] });
  const receiver = new WebhookReceiver();
  let context: EmailTestContext;
  let port: EmailPort;
  const create = (overrides: Partial<SendGridOptions> = {}) => sendGridPlugin.create(options(sim, overrides), context.ctx);
  const mail = { from: 'agent@example.com', to: ['ada@example.com'], subject: 'Hello', text: 'Hi', reference: 'msg_01jxyzabcdefghjkmnpqrstvwx' };

  beforeAll(async () => {
    await Promise.all([sim.start(), receiver.start()]);
  });
  afterAll(async () => {
    await Promise.all([sim.stop(), receiver.stop()]);
  });
  beforeEach(async () => {
    sim.reset();
    receiver.reset();
    context = emailTestContext();
    port = await create();
  });
  afterEach(async () => {
    await port.close?.();
    await sim.settled();
    sim.eventWebhookUrl = null;
    context.dispose();
  });

  it('tags each mail with the categories and carries our message id as a custom argument', async () => {
    await port.send({ ...mail, html: '<p>Hi</p>', replyTo: ['desk@example.com'] });
    expect(sim.mails[0]).toMatchObject({ categories: ['agentos-comms'], customArgs: { agentos_message_id: mail.reference }, replyTo: ['desk@example.com'], text: 'Hi', html: '<p>Hi</p>' });
    await port.close?.();
    port = await create({ categories: ['support', 'agent-7'] });
    await port.send(mail);
    expect(sim.mails[1]?.categories).toEqual(['support', 'agent-7']);
  });

  it('refuses a mail with neither text nor html as INVALID_INPUT without calling SendGrid', async () => {
    await expectFailure(port.send({ ...mail, text: undefined }), 'INVALID_INPUT', [sim.apiKey]);
    expect(sim.requests).toHaveLength(0);
  });

  it('reads a whole Event Webhook batch: every recipient, our reference, the id without SendGrid\'s suffix, engagement ignored', async () => {
    sim.eventWebhookUrl = `${receiver.baseUrl}/webhooks/email`;
    const sent = await port.send({ ...mail, to: ['ada@example.com', 'bounce-me@example.com'] });
    await sim.settled();
    const events = (await Promise.all(receiver.received.map(async (r) => {
      expect(port.verifyWebhook(r)).toBe(true);
      return port.parseWebhook(r);
    }))).flat();
    expect(events).toEqual([
      { kind: 'status', providerMessageId: sent.providerMessageId, status: 'queued', errorCode: null, reference: mail.reference },
      { kind: 'status', providerMessageId: sent.providerMessageId, status: 'queued', errorCode: null, reference: mail.reference },
      { kind: 'status', providerMessageId: sent.providerMessageId, status: 'delivered', errorCode: null, reference: mail.reference },
      { kind: 'status', providerMessageId: sent.providerMessageId, status: 'undelivered', errorCode: '5.1.1', reference: mail.reference },
    ]);
    const opened = sim.buildEvents({ url: WEBHOOK_URL, messageId: sent.providerMessageId, kind: 'open', recipients: ['ada@example.com'] });
    expect(await port.parseWebhook(asRequest(opened))).toMatchObject([{ status: 'read' }]);
    const clicked = sim.buildEvents({ url: WEBHOOK_URL, messageId: sent.providerMessageId, kind: 'click', recipients: ['ada@example.com'] });
    expect(await port.parseWebhook(asRequest(clicked))).toEqual([]);
  });

  it('refuses forged, stale, missing and tampered event signatures, and every event webhook without a verification key', async () => {
    for (const signing of ['forged', 'stale', 'missing'] as const) {
      expect(port.verifyWebhook(asRequest(sim.buildEvents({ url: WEBHOOK_URL, messageId: 'm1', kind: 'delivered', signing }))), signing).toBe(false);
    }
    const genuine = asRequest(sim.buildEvents({ url: WEBHOOK_URL, messageId: 'm1', kind: 'delivered' }));
    expect(port.verifyWebhook({ ...genuine, rawBody: genuine.rawBody.replace('delivered', 'bounce') })).toBe(false);
    const noKey = await create({ eventWebhookPublicKey: undefined });
    expect(noKey.verifyWebhook(genuine)).toBe(false);
    await expect(create({ eventWebhookPublicKey: 'not-a-key' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('authenticates Inbound Parse by a token in the URL, by basic auth, or both; without either, by nothing', async () => {
    const tokenSim = new SendGridSimulator({ parseCredentials: { token: 'parse-token-0123456789abcdef' } });
    const byToken = await create({ inboundParse: { token: 'parse-token-0123456789abcdef' } });
    const inbound = { from: 'ada@example.com', to: ['agent@example.com'], subject: 'Hi', text: 'Hello' };
    expect(byToken.verifyWebhook(asRequest(await tokenSim.buildInbound(WEBHOOK_URL, inbound)))).toBe(true);
    expect(byToken.verifyWebhook(asRequest(await tokenSim.buildInbound(WEBHOOK_URL, inbound, 'forged')))).toBe(false);
    expect(byToken.verifyWebhook(asRequest(await tokenSim.buildInbound(WEBHOOK_URL, inbound, 'missing')))).toBe(false);
    expect(port.verifyWebhook(asRequest(await tokenSim.buildInbound(WEBHOOK_URL, inbound))), 'basic auth expected').toBe(false);
    const both = await create({ inboundParse: { ...sim.parseCredentials, token: 'parse-token-0123456789abcdef' } });
    expect(both.verifyWebhook(asRequest(await sim.buildInbound(WEBHOOK_URL, inbound))), 'token missing').toBe(false);
    const none = await create({ inboundParse: undefined });
    expect(none.verifyWebhook(asRequest(await sim.buildInbound(WEBHOOK_URL, inbound)))).toBe(false);
  });

  it('names received mail by its Message-ID, so a redelivery is the same mail', async () => {
    const inbound = { from: 'ada@example.com', to: ['Agent@Example.com'], subject: 'Hi', text: 'Hello', messageIdHeader: '<abc-123@mail.example.com>' };
    const [first] = await port.parseWebhook(asRequest(await sim.buildInbound(WEBHOOK_URL, inbound)));
    const [again] = await port.parseWebhook(asRequest(await sim.buildInbound(WEBHOOK_URL, inbound)));
    expect(first).toMatchObject({ kind: 'received', email: { providerMessageId: '<abc-123@mail.example.com>', messageIdHeader: '<abc-123@mail.example.com>', to: ['agent@example.com'] } });
    expect(again).toEqual(first);
  });

  it('checks its credentials by reading the key\'s scopes, sending nothing; a wrong key, no Mail Send access or an outage fails coded', async () => {
    const check = (p: EmailPort) => (p as EmailPort & CredentialCheck).checkCredentials();
    expect(await check(port)).toContain('Mail Send access');
    const wrong = await expectFailure(check(await create({ apiKey: 'SG.wrong.0123456789' })), 'PROVIDER_AUTH_FAILED', [sim.apiKey, 'SG.wrong.0123456789']);
    expect(wrong.nextStep).toContain('SENDGRID_API_KEY');
    sim.scopes = ['user.profile.read'];
    const readOnly = await expectFailure(check(port), 'PROVIDER_AUTH_FAILED', [sim.apiKey]);
    expect(readOnly.nextStep).toContain('Mail Send access');
    sim.scopes = ['mail.send'];
    sim.failNext({ status: 503 });
    await expectFailure(check(port), 'PROVIDER_UNAVAILABLE', [sim.apiKey]);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(4).fill('GET /v3/scopes'));
    expect(sim.mails).toHaveLength(0);
  });

  it('maps an unverified sender, a rate limit\'s reset time, a refused and a dropped connection', async () => {
    const secrets = [sim.apiKey];
    const unverified = await expectFailure(port.send({ ...mail, from: 'agent@elsewhere.example.net' }), 'PROVIDER_REJECTED', secrets);
    expect(unverified.nextStep).toContain('Sender Identity');
    sim.failNext({ status: 429, retryAfterSeconds: 42 });
    const limited = await expectFailure(port.send(mail), 'RATE_LIMITED', secrets);
    expect(limited.details.retryAfterSeconds).toBeGreaterThanOrEqual(41);
    sim.dropNext();
    await expectFailure(port.send(mail), 'PROVIDER_TIMEOUT', secrets);
    const gone = new SendGridSimulator();
    await gone.start();
    const baseUrl = gone.baseUrl;
    await gone.stop();
    const unreachable = await create({ baseUrl });
    const refused = await expectFailure(unreachable.send(mail), 'PROVIDER_UNAVAILABLE', secrets);
    expect(refused.details.networkError).toBe('ECONNREFUSED');
    expect(sim.mails).toHaveLength(0);
  });
});
