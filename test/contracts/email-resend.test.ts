import type { CredentialCheck } from '../../ports/credential-check.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import resendPlugin from '../../adapters/resend/plugin.js';
import { resendErrorMapper } from '../../adapters/resend/resend-error-mapping.js';
import { describeEmailContract, type EmailFault, type EmailHarness, type FarSideMail } from '../../contracts/email.js';
import type { EmailEvent, EmailPort } from '../../ports/email.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { bareAddress } from '../simulators/resend/email-address-syntax.js';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';
import { newSvixMessageId, newWebhookSecret, svixHeaders } from '../simulators/resend/svix-signing.js';
import type { SimulatedEmail } from '../simulators/resend/simulated-emails.js';
import type { SignedWebhook } from '../simulators/resend/webhook-delivery.js';
import { WebhookReceiver } from '../simulators/resend/webhook-receiver.js';
import { emailTestContext, type EmailTestContext } from './email-plugin-context.js';

const WEBHOOK_URL = 'https://comms.example.com/webhooks/email';
const TIMEOUT_MS = 300;
const RETRY_AFTER_SECONDS = 3;
const SENDING_ONLY_KEY = 're_sendingOnly0123456789';

const bare = (value: string) => bareAddress(value) ?? value;

function farSide(email: SimulatedEmail): FarSideMail {
  return {
    from: bare(email.from),
    to: email.to.map(bare),
    cc: email.cc.map(bare),
    bcc: email.bcc.map(bare),
    replyTo: email.replyTo.map(bare),
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: new Uint8Array(a.content) })),
    headers: Object.fromEntries(Object.entries(email.headers).map(([name, value]) => [name.toLowerCase(), value])),
  };
}

function asWebhookRequest(webhook: SignedWebhook): WebhookRequest {
  return { url: webhook.url, method: webhook.method, headers: { ...webhook.headers }, rawBody: webhook.rawBody, params: {} };
}

/** Until cleared: every request meets the fault. */
const UNTIL_CLEARED = Number.MAX_SAFE_INTEGER;

function playFault(sim: ResendSimulator, fault: EmailFault | null): void {
  sim.clearFaults();
  switch (fault) {
    case null: return;
    case 'server-error': return sim.failNext({ status: 500, times: UNTIL_CLEARED });
    case 'rate-limit': return sim.failNext({ status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS, times: UNTIL_CLEARED });
    case 'timeout': return sim.hangNext({ times: UNTIL_CLEARED });
    case 'unreachable': return sim.dropNext({ times: UNTIL_CLEARED });
    case 'auth-failure': return sim.failNext({ status: 401, times: UNTIL_CLEARED });
  }
}

async function buildPort(sim: ResendSimulator, context: EmailTestContext, overrides: Record<string, unknown> = {}): Promise<EmailPort> {
  return resendPlugin.create(
    { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: TIMEOUT_MS, ...overrides },
    context.ctx,
  );
}

let contractSim: ResendSimulator;
let contractContext: EmailTestContext;

describeEmailContract({
  name: 'resend (official SDK against the Resend simulator)',
  capabilities: { inboundWebhook: true, attachments: true, idempotencyKeys: true },
  async factory() {
    contractSim = new ResendSimulator();
    await contractSim.start();
    contractContext = emailTestContext();
    const sim = contractSim;
    const port = await buildPort(sim, contractContext);
    const harness: EmailHarness = {
      secrets: [sim.apiKey, sim.webhookSecret, sim.webhookSecret.slice('whsec_'.length)],
      rateLimitRetryAfterSeconds: RETRY_AFTER_SECONDS,
      received: async () => sim.emails.map(farSide),
      injectFault: (fault) => playFault(sim, fault),
      inboundWebhook: async (mail, signing) => asWebhookRequest(sim.buildInbound({
        url: WEBHOOK_URL,
        from: mail.from,
        to: mail.to,
        cc: mail.cc,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments,
        signature: signing,
      }).webhook),
      statusWebhook: async (providerMessageId, outcome) => asWebhookRequest(sim.buildEvent({
        emailId: providerMessageId, type: outcome === 'delivered' ? 'email.delivered' : 'email.bounced', url: WEBHOOK_URL,
      })),
    };
    return { port, harness };
  },
  async teardown() {
    // Whatever the test did, the adapter must only ever send what Resend's published API allows.
    expect(contractSim.specViolations).toEqual([]);
    await contractSim.stop();
    contractContext.dispose();
  },
});

describe('resend adapter: beyond the contract', () => {
  let sim: ResendSimulator;
  let context: EmailTestContext;
  let port: EmailPort;
  const receiver = new WebhookReceiver();

  beforeEach(async () => {
    sim = new ResendSimulator({ eventDelayMs: 1, sendingOnlyApiKey: SENDING_ONLY_KEY });
    await Promise.all([sim.start(), receiver.start()]);
    context = emailTestContext();
    port = await buildPort(sim, context);
  });
  afterEach(async () => {
    expect(sim.specViolations).toEqual([]);
    await port.close?.();
    await Promise.all([sim.stop(), receiver.stop()]);
    receiver.reset();
    context.dispose();
  });

  /** Runs every webhook the receiver gets through the adapter, as the HTTP host would. */
  function adapterBehindReceiver(): EmailEvent[] {
    const events: EmailEvent[] = [];
    receiver.onWebhook = async (webhook) => {
      if (!port.verifyWebhook(webhook)) return { status: 401, contentType: 'text/plain', body: 'bad signature' };
      events.push(...(await port.parseWebhook(webhook)));
      const reply = port.webhookReply();
      return { status: 200, contentType: reply.contentType, body: reply.body };
    };
    return events;
  }

  it('sends Resend\'s payload: arrays, reply_to, base64 attachments, headers and the Idempotency-Key header', async () => {
    const result = await port.send({
      from: 'agent@example.com', to: ['alice@example.com'], cc: ['carol@example.com'], replyTo: ['replies@example.com'],
      subject: 'Hi', text: 'Hello', html: '<p>Hello</p>', headers: { 'List-Unsubscribe': '<mailto:stop@example.com>' },
      attachments: [{ filename: 'a.bin', content: Uint8Array.from([0, 255]) }],
      idempotencyKey: 'msg_123', reference: 'msg_123',
    });
    expect(result).toEqual({ providerMessageId: sim.emails[0]?.id, status: 'queued' });
    const [request] = sim.requests;
    expect(request?.headers['idempotency-key']).toBe('msg_123');
    expect(request?.headers.authorization).toBe(`Bearer ${sim.apiKey}`);
    expect(request?.body).toEqual({
      from: 'agent@example.com', to: ['alice@example.com'], cc: ['carol@example.com'], reply_to: ['replies@example.com'],
      subject: 'Hi', text: 'Hello', html: '<p>Hello</p>', headers: { 'List-Unsubscribe': '<mailto:stop@example.com>' },
      attachments: [{ filename: 'a.bin', content: 'AP8=' }],
    });
  });

  it('checks its credentials by listing domains, sending nothing; a sending-only key passes, a wrong key or an outage fails coded', async () => {
    const check = (p: EmailPort) => (p as EmailPort & CredentialCheck).checkCredentials();
    expect(await check(port)).toBe('full-access API key, 1 domain(s)');
    const sendingOnly = await buildPort(sim, context, { apiKey: SENDING_ONLY_KEY });
    expect(await check(sendingOnly)).toContain('sending-only');
    const wrong = await buildPort(sim, context, { apiKey: 're_wrongKey0123456789' });
    const refused = await check(wrong).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', nextStep: expect.stringContaining('RESEND_API_KEY') });
    expect(JSON.stringify(refused)).not.toContain('re_wrongKey0123456789');
    sim.failNext({ status: 503 });
    await expect(check(port)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(Array(4).fill('GET /domains'));
    expect(sim.emails).toEqual([]);
  });

  it('refuses a request with neither text nor html as INVALID_INPUT without calling Resend', async () => {
    await expect(port.send({ from: 'agent@example.com', to: ['a@example.com'], subject: 's', reference: 'r' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(sim.requests).toEqual([]);
  });

  it('tells a timed-out caller that retrying with the same idempotency key is safe', async () => {
    sim.hangNext();
    await expect(port.send({ from: 'agent@example.com', to: ['a@example.com'], subject: 's', text: 't', idempotencyKey: 'k1', reference: 'r' }))
      .rejects.toMatchObject({ code: 'PROVIDER_TIMEOUT', nextStep: expect.stringContaining('same idempotency key') });
  });

  it('receives mail end to end: simulator → signed webhook → verify → receiving API → received event', async () => {
    const events = adapterBehindReceiver();
    const answer = await sim.injectInbound({
      url: `${receiver.baseUrl}/webhooks/email`, from: 'Customer <customer@example.com>', to: ['Agent <agent@example.com>'],
      subject: 'Hello', text: 'Body', messageId: '<abc@mail.example.com>',
      headers: { 'In-Reply-To': '<parent@example.com>', references: '<root@example.com>\r\n <parent@example.com>' },
    });
    expect(answer).toMatchObject({ status: 200, body: '{"received":true}' });
    expect(events).toEqual([{
      kind: 'received',
      email: {
        providerMessageId: answer.emailId, from: 'customer@example.com', to: ['agent@example.com'], cc: [], subject: 'Hello',
        text: 'Body', html: null, messageIdHeader: '<abc@mail.example.com>', inReplyTo: '<parent@example.com>',
        references: ['<root@example.com>', '<parent@example.com>'], attachments: [],
      },
    }]);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /emails/receiving/${answer.emailId}`]);
  });

  it('reports delivery progress end to end, including a bounce and a complaint', async () => {
    const events = adapterBehindReceiver();
    sim.webhookUrl = `${receiver.baseUrl}/webhooks/email`;
    const bounced = await port.send({ from: 'agent@example.com', to: ['bounced@resend.dev'], subject: 's', text: 't', reference: 'r1' });
    await sim.settled();
    const complained = await port.send({ from: 'agent@example.com', to: ['complained@resend.dev'], subject: 's', text: 't', reference: 'r2' });
    await sim.settled();
    expect(events).toEqual([
      { kind: 'status', providerMessageId: bounced.providerMessageId, status: 'sent', errorCode: null },
      { kind: 'status', providerMessageId: bounced.providerMessageId, status: 'undelivered', errorCode: 'bounced' },
      { kind: 'status', providerMessageId: complained.providerMessageId, status: 'sent', errorCode: null },
      { kind: 'status', providerMessageId: complained.providerMessageId, status: 'delivered', errorCode: null },
      { kind: 'status', providerMessageId: complained.providerMessageId, status: 'failed', errorCode: 'complained' },
    ]);
  });

  it('maps delayed, failed and unrelated events', async () => {
    const sent = await port.send({ from: 'agent@example.com', to: ['a@example.com'], subject: 's', text: 't', reference: 'r' });
    const parse = (type: Parameters<ResendSimulator['buildEvent']>[0]['type']) =>
      port.parseWebhook(asWebhookRequest(sim.buildEvent({ emailId: sent.providerMessageId, type, url: WEBHOOK_URL })));
    expect(await parse('email.delivery_delayed')).toEqual([{ kind: 'status', providerMessageId: sent.providerMessageId, status: 'sent', errorCode: 'delivery_delayed' }]);
    expect(await parse('email.failed')).toEqual([{ kind: 'status', providerMessageId: sent.providerMessageId, status: 'failed', errorCode: 'reached_daily_quota' }]);
    expect(await parse('email.opened')).toEqual([{ kind: 'status', providerMessageId: sent.providerMessageId, status: 'read', errorCode: null }]);
    const contact: WebhookRequest = { url: WEBHOOK_URL, method: 'POST', headers: {}, rawBody: '{"type":"contact.created","data":{"id":"x"}}', params: {} };
    expect(await port.parseWebhook(contact)).toEqual([]);
    await expect(port.parseWebhook({ ...contact, rawBody: '{"type":"email.delivered","data":{}}' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('fails a received webhook whose email the receiving API does not know with NOT_FOUND (for good), one it cannot serve now so that Resend retries it', async () => {
    const { webhook, email } = sim.buildInbound({ url: WEBHOOK_URL, from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't' });
    sim.inbound.length = 0;
    await expect(port.parseWebhook(asWebhookRequest(webhook))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    sim.inbound.push(email);
    sim.failNext({ status: 503 });
    await expect(port.parseWebhook(asWebhookRequest(webhook))).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect((await port.parseWebhook(asWebhookRequest(webhook)))[0]?.kind).toBe('received');
  });

  it('accepts several signatures (secret rotation) and unbranded webhook-* headers; refuses future timestamps', () => {
    const build = (signature: 'valid' | 'multiple') => asWebhookRequest(sim.buildInbound({
      url: WEBHOOK_URL, from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't', signature,
    }).webhook);
    expect(port.verifyWebhook(build('multiple'))).toBe(true);
    const valid = build('valid');
    const unbranded: WebhookRequest = {
      ...valid,
      headers: {
        'webhook-id': valid.headers['svix-id'], 'webhook-timestamp': valid.headers['svix-timestamp'], 'webhook-signature': valid.headers['svix-signature'],
      },
    };
    expect(port.verifyWebhook(unbranded)).toBe(true);
    const future = { ...valid, headers: { ...valid.headers, 'svix-timestamp': String(Math.floor(Date.now() / 1000) + 600) } };
    expect(port.verifyWebhook(future)).toBe(false);
  });

  it('verifies a per-agent URL with that agent\'s own endpoint secret only; other URLs with the shared secret', async () => {
    const agentSecret = newWebhookSecret();
    const withAgentSecrets = await buildPort(sim, context, { agentWebhookSecrets: { agt_b: agentSecret } });
    const rawBody = JSON.stringify({ type: 'email.delivered', created_at: '2030-01-01T00:00:00Z', data: { email_id: 'x' } });
    const signedWith = (secret: string, agentId: string | null): WebhookRequest =>
      ({ url: WEBHOOK_URL, method: 'POST', headers: svixHeaders(secret, newSvixMessageId(), rawBody, new Date()), rawBody, params: {}, agentId });
    // A webhook of the shared endpoint (or agent A's) does not verify on B's URL, B's own does.
    expect(withAgentSecrets.verifyWebhook(signedWith(sim.webhookSecret, 'agt_b'))).toBe(false);
    expect(withAgentSecrets.verifyWebhook(signedWith(agentSecret, 'agt_b'))).toBe(true);
    // B's secret is B's alone: not valid on A's URL or on the shared one.
    expect(withAgentSecrets.verifyWebhook(signedWith(agentSecret, 'agt_a'))).toBe(false);
    expect(withAgentSecrets.verifyWebhook(signedWith(agentSecret, null))).toBe(false);
    expect(withAgentSecrets.verifyWebhook(signedWith(sim.webhookSecret, 'agt_a'))).toBe(true);
    await withAgentSecrets.close?.();
  });

  it('refuses an email.received whose id could leave its path segment', async () => {
    const body = JSON.stringify({ type: 'email.received', created_at: '2030-01-01T00:00:00Z', data: { email_id: '../../domains' } });
    await expect(port.parseWebhook({ url: WEBHOOK_URL, method: 'POST', headers: {}, rawBody: body, params: {} })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(sim.requests).toEqual([]);
  });

  it('fails startup with CONFIG_INVALID for a signing secret that is not base64', async () => {
    await expect(resendPlugin.create({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: 'whsec_abc' }, context.ctx))
      .rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses every webhook when no webhookSecret is configured', async () => {
    const withoutSecret = await resendPlugin.create({ apiKey: sim.apiKey, baseUrl: sim.baseUrl }, context.ctx);
    const { webhook } = sim.buildInbound({ url: WEBHOOK_URL, from: 'a@example.com', to: ['b@example.com'], subject: 's', text: 't' });
    expect(withoutSecret.verifyWebhook(asWebhookRequest(webhook))).toBe(false);
  });
});

describe('resend adapter: error mapping', () => {
  const API_KEY = 're_secret_key_123';
  const map = resendErrorMapper(API_KEY, 1000, () => new Date('2030-01-01T00:00:00Z'));
  const failure = (statusCode: number | null, name: string, message = 'x', headers: Record<string, string> | null = null) =>
    map({ error: { statusCode, name: name as never, message }, headers, timedOut: false });

  it.each([
    [422, 'validation_error', 'Invalid `to` field. The email address needs to follow …', 'INVALID_EMAIL_ADDRESS'],
    [422, 'invalid_from_address', 'Invalid `from` field.', 'INVALID_EMAIL_ADDRESS'],
    [422, 'validation_error', 'Invalid `subject` field.', 'PROVIDER_REJECTED'],
    [422, 'missing_required_field', 'Missing `to` field.', 'PROVIDER_REJECTED'],
    [401, 'missing_api_key', 'Missing API key', 'PROVIDER_AUTH_FAILED'],
    [403, 'invalid_api_key', 'API key is invalid', 'PROVIDER_AUTH_FAILED'],
    [401, 'restricted_api_key', 'This API key is restricted to only send emails', 'PROVIDER_AUTH_FAILED'],
    [403, 'validation_error', 'The example.com domain is not verified.', 'PROVIDER_REJECTED'],
    [409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.', 'IDEMPOTENCY_KEY_REUSED'],
    [409, 'concurrent_idempotent_requests', 'Same idempotency key used while original request is still in progress.', 'IDEMPOTENCY_IN_PROGRESS'],
    [400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.', 'INVALID_INPUT'],
    [429, 'daily_quota_exceeded', 'You have reached your daily email sending quota.', 'RATE_LIMITED'],
    [451, 'security_error', 'We may have found a security issue with the request.', 'PROVIDER_REJECTED'],
    [500, 'application_error', 'An unexpected error occurred.', 'PROVIDER_UNAVAILABLE'],
    [null, 'application_error', 'Unable to fetch data. The request could not be resolved.', 'PROVIDER_UNAVAILABLE'],
  ] as const)('%s %s → %s', (status, name, message, code) => {
    const mapped = failure(status, name, message);
    expect(mapped.code).toBe(code);
    expect(mapped.details.providerCode ?? name).toBe(name);
    expect(mapped.nextStep).toEqual(expect.any(String));
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(failure(429, 'rate_limit_exceeded', 'slow down', { 'retry-after': '12' }).details.retryAfterSeconds).toBe(12);
    expect(failure(429, 'rate_limit_exceeded', 'slow down', { 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }).details.retryAfterSeconds).toBe(30);
    expect(failure(429, 'rate_limit_exceeded', 'slow down').details.retryAfterSeconds).toBeUndefined();
  });

  it('never repeats the API key, even when Resend echoes it', () => {
    const mapped = failure(400, 'invalid_parameter', `Key ${API_KEY} cannot do this`);
    expect(JSON.stringify({ m: mapped.message, n: mapped.nextStep, d: mapped.details })).not.toContain(API_KEY);
  });
});

describe('resend plugin definition', () => {
  it('is an email plugin named resend whose schema marks the credentials and checks the secret format', () => {
    expect(resendPlugin).toMatchObject({ apiVersion: 1, port: 'email', id: 'resend', secrets: ['apiKey', 'webhookSecret', 'agentWebhookSecrets'] });
    const validate = new Ajv2020({ strict: false, useDefaults: true }).compile(resendPlugin.optionsSchema);
    const options: Record<string, unknown> = { apiKey: 're_x' };
    expect(validate(options)).toBe(true);
    expect(options).toMatchObject({ baseUrl: 'https://api.resend.com', timeoutMs: 10_000 });
    expect(validate({ apiKey: 're_x', webhookSecret: 'not-a-whsec' })).toBe(false);
    expect(validate({})).toBe(false);
    expect(validate({ apiKey: 're_x', region: 'eu' })).toBe(false);
  });
});
