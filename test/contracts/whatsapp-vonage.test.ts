import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import vonagePlugin from '../../adapters/vonage/plugin.js';
import type { VonageOptions } from '../../adapters/vonage/vonage-options.js';
import { describeWhatsAppContract } from '../../contracts/whatsapp.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { SendWhatsAppRequest, WhatsAppPort } from '../../ports/whatsapp.js';
import { VonageSimulator } from '../simulators/vonage/vonage-simulator.js';
import { sha256Hex } from '../simulators/vonage/vonage-webhook-signing.js';
import { vonageWhatsAppHarness } from '../simulators/vonage/vonage-whatsapp-harness.js';
import { WebhookReceiver } from '../simulators/shared/webhook-receiver.js';

const SENDER = '+15550100';
const CONTACT = '+15550101';
const REFUSED = '+15550199';
const PUBLIC_BASE_URL = 'https://comms.example.com';
const HOUR_MS = 60 * 60 * 1000;

const sim = new VonageSimulator({ whatsappNumbers: [SENDER], refusedRecipients: [REFUSED], statusDelayMs: 1 });
const receiver = new WebhookReceiver();
const dataDir = mkdtempSync(join(tmpdir(), 'whatsapp-vonage-'));

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

function testContext(now: () => Date = () => new Date()): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now },
    ids: { next: (prefix) => `${prefix}${(counter += 1)}` },
    publicBaseUrl: PUBLIC_BASE_URL,
    configDir: dataDir,
    dataDir,
    events: { messageStatus: () => {}, callStatus: () => {}, emailReceived: () => {} },
  };
}

const jwtOptions = (): VonageOptions => ({
  applicationId: sim.applicationId, privateKey: sim.privateKey, signatureSecret: sim.signatureSecret, apiHost: sim.baseUrl, timeoutMs: 300,
});
const basicOptions = (): VonageOptions => ({
  apiKey: sim.apiKey, apiSecret: sim.apiSecret, signatureSecret: sim.signatureSecret, apiHost: sim.baseUrl, timeoutMs: 300,
});

function createPort(options: VonageOptions = jwtOptions(), now?: () => Date): Promise<WhatsAppPort> {
  return vonagePlugin.create(options, testContext(now));
}

beforeAll(async () => {
  await Promise.all([sim.start(), receiver.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), receiver.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

describeWhatsAppContract({
  name: 'vonage adapter (JWT auth) against the Vonage simulator',
  capabilities: {
    customerWindow: true, templates: true, media: true, inboundMedia: true, signedTimestamp: true, signedUrl: false,
    faults: ['server-error', 'rate-limit', 'timeout'],
  },
  async factory() {
    sim.reset();
    receiver.reset();
    return {
      port: await createPort(),
      harness: vonageWhatsAppHarness(sim, receiver, { publicBaseUrl: PUBLIC_BASE_URL, contact: CONTACT, refusedNumber: REFUSED }),
    };
  },
  async teardown() {
    await sim.settled();
  },
});

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    if (isDomainError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

function codeThrownBy(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    return isDomainError(err) ? err.code : null;
  }
  return null;
}

describe('vonage whatsapp adapter specifics', () => {
  let port: WhatsAppPort;
  const message = (overrides: Partial<SendWhatsAppRequest> = {}): SendWhatsAppRequest =>
    ({ from: SENDER, to: CONTACT, body: 'hi', reference: 'msg_1', ...overrides });
  const send = (overrides: Partial<SendWhatsAppRequest> = {}) => port.send(message(overrides));
  const lastBody = () => sim.requests.at(-1)?.json;

  beforeEach(async () => {
    sim.reset();
    receiver.reset();
    sim.contactWrote(CONTACT, SENDER);
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    await sim.settled();
  });

  it('sends the Messages API v1 body, digits without +, with JWT auth and the status webhook URL', async () => {
    const result = await send({ body: 'Hello', statusCallbackUrl: 'https://comms.example.com/webhooks/vonage/whatsapp/status?agent=agt_1' });
    expect(result).toEqual({ providerMessageId: sim.messages[0]?.messageUuid, status: 'accepted' });
    expect(lastBody()).toEqual({
      channel: 'whatsapp', message_type: 'text', to: '15550101', from: '15550100', text: 'Hello', client_ref: 'msg_1',
      webhook_url: 'https://comms.example.com/webhooks/vonage/whatsapp/status?agent=agt_1', webhook_version: 'v1',
    });
    expect(sim.messages[0]?.authMethod).toBe('jwt');
    expect(sim.requests[0]?.headers.authorization).toMatch(/^Bearer /);
  });

  it('uses Basic auth when configured with an API key and secret', async () => {
    await port.close?.();
    port = await createPort(basicOptions());
    await send();
    expect(sim.messages[0]?.authMethod).toBe('basic');
  });

  it('reads the private key from a file relative to the config folder', async () => {
    writeFileSync(join(dataDir, 'private.key'), sim.privateKey);
    await port.close?.();
    port = await createPort({ ...jwtOptions(), privateKey: 'private.key' });
    await send();
    expect(sim.messages[0]?.authMethod).toBe('jwt');
  });

  it('refuses an invalid private key at startup as CONFIG_INVALID without echoing it', async () => {
    const err = await failure(createPort({ ...jwtOptions(), privateKey: '-----BEGIN PRIVATE KEY-----\nnot-a-key-s3cr3t\n-----END PRIVATE KEY-----' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(JSON.stringify([err.message, err.nextStep, err.details])).not.toContain('not-a-key-s3cr3t');
  });

  it('sends templates as custom WhatsApp template messages in the configured language', async () => {
    await port.close?.();
    port = await createPort({ ...jwtOptions(), templateLanguage: 'de' });
    await send({ body: undefined, template: { id: 'order_update', variables: { 2: 'shipped', 1: 'A-17' } } });
    expect(lastBody()).toMatchObject({
      message_type: 'custom',
      custom: {
        type: 'template',
        template: {
          name: 'order_update',
          language: { policy: 'deterministic', code: 'de' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-17' }, { type: 'text', text: 'shipped' }] }],
        },
      },
    });
    await send({ body: undefined, template: { id: 'welcome', variables: { first_name: 'Ada' } } });
    expect(lastBody()).toMatchObject({
      custom: { template: { name: 'welcome', components: [{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ada' }] }] } },
    });
  });

  it.each([
    ['https://media.example.com/clip.mp4', 'video', { url: 'https://media.example.com/clip.mp4', caption: 'hi' }],
    ['https://media.example.com/invoice.pdf?v=2', 'file', { url: 'https://media.example.com/invoice.pdf?v=2', caption: 'hi' }],
    ['https://media.example.com/photo.PNG', 'image', { url: 'https://media.example.com/photo.PNG', caption: 'hi' }],
  ])('sends %s as a %s message with the body as caption', async (url, kind, content) => {
    await send({ mediaUrls: [url] });
    expect(lastBody()).toMatchObject({ message_type: kind, [kind]: content });
  });

  it('sends audio without a caption', async () => {
    await send({ body: undefined, mediaUrls: ['https://media.example.com/note.ogg'] });
    expect(lastBody()).toMatchObject({ message_type: 'audio', audio: { url: 'https://media.example.com/note.ogg' } });
  });

  it.each<[string, Partial<SendWhatsAppRequest>]>([
    ['two media URLs', { mediaUrls: ['https://media.example.com/a.jpg', 'https://media.example.com/b.jpg'] }],
    ['audio with a caption', { mediaUrls: ['https://media.example.com/note.mp3'] }],
    ['a template with a body', { template: { id: 'welcome', variables: {} } }],
    ['numbered variables with a gap', { body: undefined, template: { id: 'welcome', variables: { 1: 'a', 3: 'c' } } }],
    ['numbered and named variables mixed', { body: undefined, template: { id: 'welcome', variables: { 1: 'a', name: 'b' } } }],
  ])('refuses %s as INVALID_INPUT without calling Vonage', async (_case, overrides) => {
    expect((await failure(send(overrides))).code).toBe('INVALID_INPUT');
    expect(sim.requests).toEqual([]);
  });

  it('maps the closed 24-hour window to TEMPLATE_REQUIRED with Vonage\'s code 1340', async () => {
    sim.reset();
    sim.contactWrote(CONTACT, SENDER, new Date(Date.now() - 25 * HOUR_MS));
    const err = await failure(send());
    expect(err).toMatchObject({ code: 'TEMPLATE_REQUIRED', details: { providerStatus: 422, providerCode: '1340' } });
    expect(err.nextStep).toContain('template');
    sim.contactWrote(CONTACT, SENDER, new Date(Date.now() - 23 * HOUR_MS));
    expect((await send()).status).toBe('accepted');
  });

  it.each([
    ['a wrong API secret', () => ({ ...basicOptions(), apiSecret: 'wrong-secret-0123456789' })],
    ['a private key of another application', () => ({
      ...jwtOptions(),
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    })],
  ])('maps %s to PROVIDER_AUTH_FAILED without revealing it', async (_case, makeOptions) => {
    const options = makeOptions();
    await port.close?.();
    port = await createPort(options);
    const err = await failure(send());
    expect(err).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401 } });
    const visible = JSON.stringify([err.message, err.nextStep, err.details, err.stack]);
    for (const secret of [options.apiSecret, options.privateKey, options.signatureSecret]) {
      if (secret) expect(visible).not.toContain(secret);
    }
  });

  it('maps an unknown sender to PROVIDER_REJECTED with Vonage\'s code', async () => {
    const err = await failure(send({ from: '+15550150' }));
    expect(err).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerStatus: 422, providerCode: '1120' } });
    expect(err.nextStep).toBeTruthy();
  });

  it('maps a malformed recipient to INVALID_PHONE_NUMBER', async () => {
    const err = await failure(send({ to: '+1555' }));
    expect(err).toMatchObject({ code: 'INVALID_PHONE_NUMBER', details: { providerCode: '1150', invalidParameters: 'to' } });
  });

  it('maps a template WhatsApp has not approved to PROVIDER_REJECTED', async () => {
    const strict = new VonageSimulator({ whatsappNumbers: [SENDER], approvedTemplates: ['welcome'], privateKey: sim.privateKey, applicationId: sim.applicationId });
    await strict.start();
    try {
      await port.close?.();
      port = await createPort({ ...jwtOptions(), apiHost: strict.baseUrl });
      expect((await send({ body: undefined, template: { id: 'welcome', variables: {} } })).status).toBe('accepted');
      const err = await failure(send({ body: undefined, template: { id: 'unknown_template', variables: {} } }));
      expect(err).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerCode: '1022' } });
    } finally {
      await strict.stop();
    }
  });

  it('maps 503 to PROVIDER_UNAVAILABLE, and a connection dropped after the request to PROVIDER_TIMEOUT (maybe sent)', async () => {
    sim.failNext({ status: 503 });
    expect((await failure(send())).code).toBe('PROVIDER_UNAVAILABLE');
    sim.dropNext();
    expect((await failure(send())).code).toBe('PROVIDER_TIMEOUT');
  });

  it('maps a refused connection to PROVIDER_UNAVAILABLE', async () => {
    const gone = new VonageSimulator({ privateKey: sim.privateKey });
    await gone.start();
    const apiHost = gone.baseUrl;
    await gone.stop();
    await port.close?.();
    port = await createPort({ ...jwtOptions(), apiHost });
    expect(await failure(send())).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { networkError: 'ECONNREFUSED' } });
  });

  it('does not retry on its own, and reports 429 without Retry-After as RATE_LIMITED without a wait', async () => {
    sim.failNext({ status: 429 });
    const err = await failure(send());
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.details.retryAfterSeconds).toBeUndefined();
    expect(sim.requests).toHaveLength(1);
  });

  it('verifies and maps the status webhooks Vonage really sent, a rejection included', async () => {
    const statusUrl = `${receiver.baseUrl}/webhooks/vonage/whatsapp/status`;
    const delivered = await send({ statusCallbackUrl: statusUrl });
    await sim.settled();
    sim.failDelivery({ status: 'rejected', errorCode: 1340 });
    const rejected = await send({ statusCallbackUrl: statusUrl, reference: 'msg_2' });
    await sim.settled();
    const events = receiver.received.flatMap((hook) => {
      expect(port.verifyWebhook(hook)).toBe(true);
      return port.parseWebhook(hook);
    });
    expect(events).toEqual([
      { kind: 'status', providerMessageId: delivered.providerMessageId, status: 'sent', errorCode: null },
      { kind: 'status', providerMessageId: delivered.providerMessageId, status: 'delivered', errorCode: null },
      { kind: 'status', providerMessageId: delivered.providerMessageId, status: 'read', errorCode: null },
      { kind: 'status', providerMessageId: rejected.providerMessageId, status: 'failed', errorCode: '1340' },
    ]);
  });

  it('verifies and parses an inbound message Vonage really POSTed', async () => {
    const { messageUuid } = await sim.injectInbound({
      url: `${receiver.baseUrl}/webhooks/vonage/whatsapp/inbound`, from: CONTACT, to: SENDER, text: 'Hello agent', profileName: 'Ada',
    });
    const hook = receiver.received[0];
    if (!hook) throw new Error('nothing received');
    expect(port.verifyWebhook(hook)).toBe(true);
    expect(port.parseWebhook(hook)).toEqual([{
      kind: 'received',
      message: { providerMessageId: messageUuid, from: CONTACT, to: SENDER, body: 'Hello agent', mediaUrls: [], profileName: 'Ada' },
    }]);
  });

  it('accepts signatures up to 5 minutes old by its own clock, and refuses older or future ones', async () => {
    const hook = sim.buildInbound({ url: `${PUBLIC_BASE_URL}/in`, from: CONTACT, to: SENDER, text: 'hi' });
    const at = (offsetMs: number) => createPort(jwtOptions(), () => new Date(Date.now() + offsetMs));
    expect((await at(4 * 60_000)).verifyWebhook(hook)).toBe(true);
    expect((await at(6 * 60_000)).verifyWebhook(hook)).toBe(false);
    expect((await at(-6 * 60_000)).verifyWebhook(hook)).toBe(false);
  });

  it('refuses tokens with another algorithm or without payload_hash or iat', () => {
    const rawBody = JSON.stringify({ message_uuid: 'x', status: 'read' });
    const now = Math.floor(Date.now() / 1000);
    const request = (token: string): WebhookRequest => ({
      url: `${PUBLIC_BASE_URL}/s`, method: 'POST', headers: { authorization: `Bearer ${token}` }, rawBody, params: {},
    });
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iat: now, payload_hash: sha256Hex(rawBody) })).toString('base64url')}.`;
    expect(port.verifyWebhook(request(unsigned))).toBe(false);
    expect(port.verifyWebhook(request(jwt.sign({ iat: now }, sim.signatureSecret, { algorithm: 'HS256' })))).toBe(false);
    expect(port.verifyWebhook(request(jwt.sign({ payload_hash: sha256Hex(rawBody) }, sim.signatureSecret, { algorithm: 'HS256', noTimestamp: true })))).toBe(false);
    expect(port.verifyWebhook(request(jwt.sign({ iat: now, payload_hash: sha256Hex(rawBody) }, sim.signatureSecret, { algorithm: 'HS256' })))).toBe(true);
  });

  it('ignores statuses it does not know, and refuses other channels and non-JSON bodies as INVALID_INPUT', () => {
    const hook = (body: unknown): WebhookRequest => ({ url: `${PUBLIC_BASE_URL}/s`, method: 'POST', headers: {}, rawBody: typeof body === 'string' ? body : JSON.stringify(body), params: {} });
    expect(port.parseWebhook(hook({ message_uuid: 'x', status: 'teleported', channel: 'whatsapp' }))).toEqual([]);
    expect(codeThrownBy(() => port.parseWebhook(hook({ message_uuid: 'x', from: '15550101', to: '15550100', channel: 'sms', message_type: 'text', text: 'hi' })))).toBe('INVALID_INPUT');
    expect(codeThrownBy(() => port.parseWebhook(hook('MessageSid=SM1&Body=hi')))).toBe('INVALID_INPUT');
    expect(codeThrownBy(() => port.parseWebhook(hook({ status: 'read' })))).toBe('INVALID_INPUT');
  });

  it('reads quick-reply buttons as the text the contact tapped', () => {
    const body = { channel: 'whatsapp', message_uuid: 'u1', from: '15550101', to: '15550100', message_type: 'reply', reply: { id: 'yes', title: 'Yes please' } };
    const [event] = port.parseWebhook({ url: `${PUBLIC_BASE_URL}/in`, method: 'POST', headers: {}, rawBody: JSON.stringify(body), params: {} });
    expect(event).toMatchObject({ kind: 'received', message: { body: 'Yes please', from: CONTACT, profileName: null } });
  });

  it('answers webhooks with an empty JSON object', () => {
    expect(port.webhookReply()).toEqual({ contentType: 'application/json', body: '{}' });
  });
});

describe('vonage plugin definition', () => {
  const validate = new Ajv2020({ allErrors: true, useDefaults: true, strict: false }).compile(vonagePlugin.optionsSchema);

  it('is the whatsapp port\'s "vonage" plugin, with its credentials marked secret', () => {
    expect(vonagePlugin).toMatchObject({ apiVersion: 1, port: 'whatsapp', id: 'vonage' });
    expect(vonagePlugin.secrets).toEqual(['apiSecret', 'privateKey', 'signatureSecret']);
  });

  it.each([
    ['application credentials', { applicationId: '3f1c2a9e-0b7d-4c55-9a51-2f3e4d5c6b7a', privateKey: 'private.key', signatureSecret: 's' }, true],
    ['API key and secret', { apiKey: 'abc123', apiSecret: 'x', signatureSecret: 's' }, true],
    ['no signature secret', { apiKey: 'abc123', apiSecret: 'x' }, false],
    ['an API key without its secret', { apiKey: 'abc123', signatureSecret: 's' }, false],
    ['an application id without its key', { applicationId: '3f1c2a9e-0b7d-4c55-9a51-2f3e4d5c6b7a', signatureSecret: 's' }, false],
    ['no credentials', { signatureSecret: 's' }, false],
    ['an unknown option', { apiKey: 'abc123', apiSecret: 'x', signatureSecret: 's', region: 'eu' }, false],
  ])('accepts or refuses options with %s', (_case, options, valid) => {
    expect(validate(options)).toBe(valid);
  });

  it('fills in the defaults', () => {
    const options: Record<string, unknown> = { apiKey: 'abc123', apiSecret: 'x', signatureSecret: 's' };
    validate(options);
    expect(options).toMatchObject({ apiHost: 'https://api.nexmo.com', timeoutMs: 10_000, templateLanguage: 'en_US' });
  });
});
