import type { CredentialCheck } from '../../ports/credential-check.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { twilioWhatsAppErrorMapper } from '../../adapters/twilio/twilio-whatsapp-errors.js';
import type { TwilioOptions } from '../../adapters/twilio/twilio-options.js';
import twilioWhatsAppPlugin from '../../adapters/twilio/whatsapp-plugin.js';
import { describeWhatsAppContract } from '../../contracts/whatsapp.js';
import { isDomainError, type DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import type { SendWhatsAppRequest, WhatsAppEvent, WhatsAppPort } from '../../ports/whatsapp.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { postWebhook } from '../simulators/twilio/twilio-webhook-signing.js';
import { twilioWhatsAppHarness } from '../simulators/twilio/twilio-whatsapp-harness.js';
import { WebhookRecorder } from '../simulators/twilio/webhook-recorder.js';
import { buildInboundWhatsApp } from '../simulators/twilio/whatsapp-inbound-form.js';
import {
  contentTemplateOf, isRefusedOutsideWindow, openWhatsAppWindow, resetWhatsApp, whatsAppSettled, WHATSAPP_WINDOW_MS,
} from '../simulators/twilio/whatsapp-window.js';

const SENDER = '+15550100';
const CONTACT = '+15550101';
const REFUSED = '+15550199';
const PUBLIC_BASE_URL = 'https://comms.example.com';
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';
const SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';

const sim = new TwilioSimulator({ ownedNumbers: [SENDER], refusedDestinations: { [REFUSED]: 21211 }, callbackDelayMs: 1 });
const recorder = new WebhookRecorder();

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

function testContext(): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}${(counter += 1)}` },
    publicBaseUrl: PUBLIC_BASE_URL,
    configDir: '.',
    dataDir: '.',
    events: { messageStatus: () => {}, callStatus: () => {}, emailReceived: () => {} },
  };
}

const options = (overrides: Partial<TwilioOptions> = {}): TwilioOptions => ({
  accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 300, ...overrides,
});

function createPort(overrides: Partial<TwilioOptions> = {}): Promise<WhatsAppPort> {
  return twilioWhatsAppPlugin.create(options(overrides), testContext());
}

/** Everything the simulator scheduled has run, and the adapter asked nothing Twilio's spec does not declare. */
async function settleAndCheckSpec(): Promise<void> {
  await sim.settled();
  await whatsAppSettled(sim);
  expect(sim.specViolations).toEqual([]);
}

function resetFarSide(): void {
  sim.reset();
  resetWhatsApp(sim);
  recorder.reset();
}

beforeAll(async () => {
  await Promise.all([sim.start(), recorder.start()]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), recorder.stop()]);
});

describeWhatsAppContract({
  name: 'twilio adapter against the Twilio simulator',
  capabilities: {
    // Twilio accepts a free-form message outside the window (201 queued) and fails it later with 63016 on the
    // StatusCallback; the suite expects a synchronous TEMPLATE_REQUIRED. Covered below instead.
    customerWindow: false,
    // The suite sends templates by name ("appointment_reminder"); Twilio only takes Content SIDs (HX…). Covered below.
    templates: false,
    media: true,
    inboundMedia: true,
    // X-Twilio-Signature covers the URL and the fields, but no timestamp.
    signedTimestamp: false,
    signedUrl: true,
    faults: ['server-error', 'rate-limit', 'timeout'],
  },
  async factory() {
    resetFarSide();
    return {
      port: await createPort(),
      harness: twilioWhatsAppHarness(sim, recorder, { publicBaseUrl: PUBLIC_BASE_URL, contact: CONTACT, refusedNumber: REFUSED }),
    };
  },
  teardown: settleAndCheckSpec,
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

describe('twilio whatsapp adapter specifics', () => {
  let port: WhatsAppPort;
  const harness = () => twilioWhatsAppHarness(sim, recorder, { publicBaseUrl: PUBLIC_BASE_URL, contact: CONTACT, refusedNumber: REFUSED });
  const statusUrl = () => `${recorder.baseUrl}/webhooks/agt_1/whatsapp`;
  const message = (overrides: Partial<SendWhatsAppRequest> = {}): SendWhatsAppRequest =>
    ({ from: SENDER, to: CONTACT, body: 'hi', reference: 'msg_1', ...overrides });
  const send = (overrides: Partial<SendWhatsAppRequest> = {}) => port.send(message(overrides));
  const lastParams = () => sim.requests.at(-1)?.params;
  /** Every event of the webhooks Twilio really POSTed, each checked to verify first. */
  const deliveredEvents = (): WhatsAppEvent[] => recorder.received.flatMap((hook) => {
    expect(port.verifyWebhook(hook)).toBe(true);
    return port.parseWebhook(hook);
  });

  beforeEach(async () => {
    resetFarSide();
    port = await createPort();
  });
  afterEach(async () => {
    await port.close?.();
    await settleAndCheckSpec();
  });

  it('sends whatsapp: addresses, the body and the StatusCallback, and returns the SID and status', async () => {
    openWhatsAppWindow(sim, CONTACT, SENDER);
    const result = await send({ body: 'Hello', statusCallbackUrl: statusUrl() });
    expect(result).toEqual({ providerMessageId: sim.messages[0]?.sid, status: 'queued' });
    expect(lastParams()).toEqual({ To: 'whatsapp:+15550101', From: 'whatsapp:+15550100', Body: 'Hello', StatusCallback: statusUrl() });
  });

  it('sends the media URL with the body as caption, and through the Messaging Service when configured', async () => {
    await port.close?.();
    port = await createPort({ messagingServiceSid: SERVICE_SID });
    openWhatsAppWindow(sim, CONTACT, SENDER);
    await send({ body: 'The receipt', mediaUrls: ['https://media.example.com/r.jpg'] });
    expect(lastParams()).toEqual({
      To: 'whatsapp:+15550101', From: 'whatsapp:+15550100', Body: 'The receipt', MediaUrl: 'https://media.example.com/r.jpg', MessagingServiceSid: SERVICE_SID,
    });
  });

  it.each([
    ['numbered', { 1: 'Ada', 2: 'Tuesday 10:00' }],
    ['named', { first_name: 'Ada' }],
  ])('sends a template by Content SID with %s variables as a JSON string, without an open window', async (_case, variables) => {
    const result = await send({ body: undefined, template: { id: CONTENT_SID, variables }, statusCallbackUrl: statusUrl() });
    expect(lastParams()).toEqual({
      To: 'whatsapp:+15550101', From: 'whatsapp:+15550100', ContentSid: CONTENT_SID, ContentVariables: JSON.stringify(variables), StatusCallback: statusUrl(),
    });
    expect(await harness().received()).toEqual([{ from: SENDER, to: CONTACT, body: '', mediaUrls: [], template: { id: CONTENT_SID, variables } }]);
    await sim.settled();
    expect(deliveredEvents().at(-1)).toEqual({ kind: 'status', providerMessageId: result.providerMessageId, status: 'delivered', errorCode: null });
  });

  it('leaves ContentVariables out for a template without variables', async () => {
    await send({ body: undefined, template: { id: CONTENT_SID, variables: {} } });
    expect(lastParams()).toEqual({ To: 'whatsapp:+15550101', From: 'whatsapp:+15550100', ContentSid: CONTENT_SID });
    expect(contentTemplateOf(sim, sim.messages[0]?.sid ?? '')).toEqual({ contentSid: CONTENT_SID, variables: {} });
  });

  it.each<[string, Partial<SendWhatsAppRequest>]>([
    ['a template name instead of a Content SID', { body: undefined, template: { id: 'appointment_reminder', variables: {} } }],
    ['a template with a body', { template: { id: CONTENT_SID, variables: {} } }],
    ['a template with media', { body: undefined, mediaUrls: ['https://media.example.com/a.jpg'], template: { id: CONTENT_SID, variables: {} } }],
    ['two media URLs', { mediaUrls: ['https://media.example.com/a.jpg', 'https://media.example.com/b.jpg'] }],
    ['no body, media or template', { body: '' }],
  ])('refuses %s as INVALID_INPUT without calling Twilio', async (_case, overrides) => {
    const err = await failure(send(overrides));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.nextStep).toBeTruthy();
    expect(sim.requests).toEqual([]);
  });

  it('reports free-form text outside the window as accepted, then failed with 63016 on the status callback', async () => {
    const result = await send({ statusCallbackUrl: statusUrl() });
    expect(result.status).toBe('queued');
    await whatsAppSettled(sim);
    expect(deliveredEvents()).toEqual([{ kind: 'status', providerMessageId: result.providerMessageId, status: 'failed', errorCode: '63016' }]);
    expect(recorder.received[0]?.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '63016', To: 'whatsapp:+15550101' });
    expect(sim.messages[0]).toMatchObject({ status: 'failed', errorCode: 63016 });
    expect(isRefusedOutsideWindow(sim, result.providerMessageId)).toBe(true);
    expect(await harness().received()).toEqual([]);
  });

  it('accepts free-form text once the contact\'s inbound message arrived, and not after 24 hours', async () => {
    const inbound = buildInboundWhatsApp(sim, { url: `${PUBLIC_BASE_URL}/in`, from: CONTACT, to: SENDER, body: 'hello?' });
    expect(port.parseWebhook(inbound)[0]?.kind).toBe('received');
    const inside = await send({ statusCallbackUrl: statusUrl() });
    await sim.settled();
    expect(deliveredEvents().map((e) => e.kind === 'status' && e.status)).toEqual(['queued', 'sent', 'delivered']);
    expect(isRefusedOutsideWindow(sim, inside.providerMessageId)).toBe(false);

    resetFarSide();
    openWhatsAppWindow(sim, CONTACT, SENDER, new Date(Date.now() - WHATSAPP_WINDOW_MS - 60_000));
    const outside = await send({ statusCallbackUrl: statusUrl() });
    await whatsAppSettled(sim);
    expect(deliveredEvents()).toEqual([{ kind: 'status', providerMessageId: outside.providerMessageId, status: 'failed', errorCode: '63016' }]);
  });

  it('maps a synchronous 63016 refusal to TEMPLATE_REQUIRED', () => {
    const toDomainError = twilioWhatsAppErrorMapper([sim.authToken], 300);
    const err = toDomainError({ status: 400, code: 63016, message: 'Failed to send freeform message because you are outside the allowed window.', moreInfo: 'https://www.twilio.com/docs/errors/63016' });
    expect(err).toMatchObject({ code: 'TEMPLATE_REQUIRED', details: { providerStatus: 400, providerCode: 63016 } });
    expect(err.nextStep).toContain('template');
  });

  it('maps an unknown WhatsApp sender to PROVIDER_REJECTED with Twilio\'s 63007 and WhatsApp advice', async () => {
    openWhatsAppWindow(sim, CONTACT, '+15550150');
    const err = await failure(send({ from: '+15550150' }));
    expect(err).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerStatus: 400, providerCode: 63007 } });
    expect(err.nextStep).toContain('WhatsApp sender');
  });

  it('maps wrong credentials to PROVIDER_AUTH_FAILED, pointing at the whatsapp options, without the token', async () => {
    await port.close?.();
    port = await createPort({ authToken: 'wrong-token-0123456789' });
    const err = await failure(send());
    expect(err).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401 } });
    expect(err.nextStep).toContain('whatsapp options');
    expect(JSON.stringify([err.message, err.nextStep, err.details, err.stack])).not.toContain('wrong-token-0123456789');
  });

  it('checks its credentials by fetching the account, sending nothing; a wrong token fails PROVIDER_AUTH_FAILED', async () => {
    expect(await (port as WhatsAppPort & CredentialCheck).checkCredentials()).toMatch(/^account AC\w{4}… is active$/);
    await port.close?.();
    port = await createPort({ authToken: 'wrong-token-0123456789' });
    const err = await failure((port as WhatsAppPort & CredentialCheck).checkCredentials());
    expect(err).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401 } });
    expect(JSON.stringify([err.message, err.nextStep, err.details])).not.toContain('wrong-token-0123456789');
    expect(sim.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(sim.messages).toEqual([]);
  });

  it('verifies and parses an inbound message with media and profile name that Twilio really POSTed', async () => {
    const webhook = buildInboundWhatsApp(sim, {
      url: `${recorder.baseUrl}/webhooks/agt_1/whatsapp`, from: CONTACT, to: SENDER, body: 'look', mediaUrls: ['https://api.twilio.com/media/ME1.jpg'], profileName: 'Ada',
    });
    expect((await postWebhook(webhook, 2000)).status).toBe(200);
    expect(recorder.received[0]?.params).toMatchObject({ WaId: '15550101', MessageType: 'image', SmsStatus: 'received' });
    expect(deliveredEvents()).toEqual([{
      kind: 'received',
      message: { providerMessageId: webhook.messageSid, from: CONTACT, to: SENDER, body: 'look', mediaUrls: ['https://api.twilio.com/media/ME1.jpg'], profileName: 'Ada' },
    }]);
  });

  it('refuses an SMS posted to the WhatsApp URL, ignores unknown statuses, and needs a status field', () => {
    const form = (params: Record<string, string>): WebhookRequest => ({
      url: `${PUBLIC_BASE_URL}/w`, method: 'POST', headers: {}, rawBody: new URLSearchParams(params).toString(), params,
    });
    const sms = sim.buildInboundSms({ url: `${PUBLIC_BASE_URL}/w`, from: CONTACT, to: SENDER, body: 'hi' });
    expect(codeThrownBy(() => port.parseWebhook(sms))).toBe('INVALID_INPUT');
    expect(port.parseWebhook(form({ MessageSid: 'SM1', MessageStatus: 'teleported' }))).toEqual([]);
    expect(codeThrownBy(() => port.parseWebhook(form({ MessageSid: 'SM1', Body: 'hi' })))).toBe('INVALID_INPUT');
    expect(port.parseWebhook(form({ MessageSid: 'SM1', SmsStatus: 'read', MessageStatus: 'read' }))).toEqual([
      { kind: 'status', providerMessageId: 'SM1', status: 'read', errorCode: null },
    ]);
  });

  it('answers webhooks with empty TwiML', () => {
    expect(port.webhookReply()).toEqual({ contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
  });
});

describe('twilio whatsapp plugin definition', () => {
  const validate = new Ajv2020({ allErrors: true, useDefaults: true, strict: false }).compile(twilioWhatsAppPlugin.optionsSchema);
  const accountSid = 'AC0123456789abcdef0123456789abcdef';

  it('is the whatsapp port\'s "twilio" plugin, with the auth token and API key secret marked secret', () => {
    expect(twilioWhatsAppPlugin).toMatchObject({ apiVersion: 1, port: 'whatsapp', id: 'twilio' });
    expect(twilioWhatsAppPlugin.secrets).toEqual(['authToken', 'apiKeySecret']);
  });

  it.each([
    ['account SID and token', { accountSid, authToken: 't' }, true],
    ['a Messaging Service', { accountSid, authToken: 't', messagingServiceSid: SERVICE_SID }, true],
    ['no token', { accountSid }, false],
    ['a malformed account SID', { accountSid: 'AC123', authToken: 't' }, false],
    ['a malformed Messaging Service SID', { accountSid, authToken: 't', messagingServiceSid: 'MG1' }, false],
    ['an unknown option', { accountSid, authToken: 't', region: 'ie1' }, false],
  ])('accepts or refuses options with %s', (_case, candidate, valid) => {
    expect(validate(candidate)).toBe(valid);
  });

  it('fills in the defaults', () => {
    const candidate: Record<string, unknown> = { accountSid, authToken: 't' };
    validate(candidate);
    expect(candidate).toMatchObject({ baseUrl: 'https://api.twilio.com', timeoutMs: 10_000 });
  });
});
