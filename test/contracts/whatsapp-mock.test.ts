import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { MockWhatsApp, type MockWhatsAppOptions } from '../../adapters/mock/mock-whatsapp.js';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import mockWhatsAppPlugin from '../../adapters/mock/whatsapp-plugin.js';
import { describeWhatsAppContract, type WhatsAppHarness, type WhatsAppWebhookSigning } from '../../contracts/whatsapp.js';
import { isDomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookRequest } from '../../ports/webhook.js';

const SENDER = '+15550100';
const CONTACT = '+15550101';
const REFUSED = '+15550199';
const DELIVERY_ERROR_CODE = '63024';
const WEBHOOK_URL = 'https://comms.example.com/webhooks/mock/whatsapp?agent=agt_contract';

const silentLogger: Logger = {
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger,
};

function testContext(now: () => Date = () => new Date()): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now },
    ids: { next: (prefix) => `${prefix}${(counter += 1)}` },
    publicBaseUrl: 'https://comms.example.com',
    configDir: '.',
    dataDir: './data',
    events: { messageStatus: () => {}, callStatus: () => {}, emailReceived: () => {} },
  };
}

async function createMock(options: MockWhatsAppOptions = {}, now?: () => Date): Promise<MockWhatsApp> {
  const port = await mockWhatsAppPlugin.create(options, testContext(now));
  if (!(port instanceof MockWhatsApp)) throw new Error('the mock plugin built something else');
  return port;
}

/** A Twilio-shaped form, signed the demo way (x-mock-signature over URL + raw body). */
function signedForm(secret: string, fields: Record<string, string>, signing: WhatsAppWebhookSigning): WebhookRequest {
  const rawBody = new URLSearchParams(fields).toString();
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signing !== 'missing') headers['x-mock-signature'] = signMockWebhook(signing === 'forged' ? `not-${secret}` : secret, WEBHOOK_URL, rawBody);
  return { url: WEBHOOK_URL, method: 'POST', headers, rawBody, params: fields };
}

let inboundCounter = 0;

function mockHarness(port: MockWhatsApp, secret: string): WhatsAppHarness {
  return {
    sender: SENDER,
    contact: CONTACT,
    refusedNumber: REFUSED,
    failureErrorCode: DELIVERY_ERROR_CODE,
    secrets: [secret],
    rateLimitRetryAfterSeconds: 1,
    received: () => port.sent.map(({ from, to, body, mediaUrls, template }) => ({ from, to, body, mediaUrls, template })),
    openWindow: (contact) => port.contactWrote(contact, SENDER),
    signedInbound: (message, options = {}) => signedForm(secret, {
      MessageSid: `SMinbound${(inboundCounter += 1)}`,
      From: `whatsapp:${message.from}`,
      To: `whatsapp:${message.to}`,
      Body: message.body,
      NumMedia: message.mediaUrl ? '1' : '0',
      ...(message.mediaUrl ? { MediaUrl0: message.mediaUrl, MediaContentType0: 'image/jpeg' } : {}),
      ...(message.profileName ? { ProfileName: message.profileName } : {}),
    }, options.signing ?? 'valid'),
    signedStatus: (providerMessageId, status, options = {}) => signedForm(secret, {
      MessageSid: providerMessageId,
      MessageStatus: status,
      ...(status === 'failed' || status === 'undelivered' ? { ErrorCode: DELIVERY_ERROR_CODE } : {}),
    }, options.signing ?? 'valid'),
    injectFault: (fault) => port.injectFault(fault),
  };
}

const commonCapabilities = {
  templates: true, media: true, inboundMedia: true, signedTimestamp: false, signedUrl: true,
  faults: ['server-error', 'rate-limit', 'timeout'] as const,
};

describeWhatsAppContract({
  name: 'mock adapter (demo mode, accepts everything)',
  capabilities: { ...commonCapabilities, customerWindow: false },
  async factory() {
    const port = await createMock({ refusedNumbers: [REFUSED] });
    return { port, harness: mockHarness(port, 'demo-secret') };
  },
});

describeWhatsAppContract({
  name: 'mock adapter (enforcing the 24-hour window, own secret)',
  capabilities: { ...commonCapabilities, customerWindow: true },
  async factory() {
    const port = await createMock({ refusedNumbers: [REFUSED], enforceCustomerWindow: true, webhookSecret: 'mock-contract-secret' });
    return { port, harness: mockHarness(port, 'mock-contract-secret') };
  },
});

function codeThrownBy(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    return isDomainError(err) ? err.code : null;
  }
  return null;
}

describe('mock whatsapp adapter specifics', () => {
  it('is the whatsapp port\'s "mock" plugin, with demo defaults', () => {
    expect(mockWhatsAppPlugin).toMatchObject({ apiVersion: 1, port: 'whatsapp', id: 'mock', secrets: ['webhookSecret'] });
    const validate = new Ajv2020({ useDefaults: true, strict: false }).compile(mockWhatsAppPlugin.optionsSchema);
    const options: Record<string, unknown> = {};
    expect(validate(options)).toBe(true);
    expect(options).toEqual({ webhookSecret: 'demo-secret', enforceCustomerWindow: false, refusedNumbers: [] });
    expect(validate({ refusedNumbers: ['555-0199'] })).toBe(false);
    expect(validate({ region: 'eu' })).toBe(false);
  });

  it('records what it sent, with our reference and callback URL, and answers queued', async () => {
    const at = new Date('2025-03-01T10:00:00Z');
    const port = await createMock({}, () => at);
    const result = await port.send({ from: SENDER, to: CONTACT, body: 'hi', reference: 'msg_9', statusCallbackUrl: 'https://comms.example.com/s' });
    expect(result).toEqual({ providerMessageId: 'MOCKWA1', status: 'queued' });
    expect(port.sent).toEqual([{
      providerMessageId: 'MOCKWA1', reference: 'msg_9', from: SENDER, to: CONTACT, body: 'hi', mediaUrls: [], template: null,
      statusCallbackUrl: 'https://comms.example.com/s', sentAt: at,
    }]);
  });

  it('closes the window 24 hours after the contact last wrote', async () => {
    let now = new Date('2025-03-01T10:00:00Z');
    const port = await createMock({ enforceCustomerWindow: true }, () => now);
    port.contactWrote(CONTACT, SENDER);
    now = new Date('2025-03-02T09:59:00Z');
    await port.send({ from: SENDER, to: CONTACT, body: 'still open', reference: 'msg_1' });
    now = new Date('2025-03-02T10:00:00Z');
    await expect(port.send({ from: SENDER, to: CONTACT, body: 'closed', reference: 'msg_2' })).rejects.toMatchObject({ code: 'TEMPLATE_REQUIRED' });
    // Windows are per pair of numbers.
    port.contactWrote(CONTACT, '+15550102');
    await expect(port.send({ from: SENDER, to: CONTACT, body: 'closed', reference: 'msg_3' })).rejects.toMatchObject({ code: 'TEMPLATE_REQUIRED' });
  });

  it('reads bare E.164 numbers and MessageStatus=received as an inbound message', async () => {
    const port = await createMock();
    const events = port.parseWebhook(signedForm('demo-secret', { MessageSid: 'SM1', From: CONTACT, To: SENDER, Body: 'hi', MessageStatus: 'received' }, 'valid'));
    expect(events).toEqual([{ kind: 'received', message: { providerMessageId: 'SM1', from: CONTACT, to: SENDER, body: 'hi', mediaUrls: [], profileName: null } }]);
  });

  it('refuses an unknown status and an inbound message without From as INVALID_INPUT', async () => {
    const port = await createMock();
    expect(codeThrownBy(() => port.parseWebhook(signedForm('demo-secret', { MessageSid: 'SM1', MessageStatus: 'teleported' }, 'valid')))).toBe('INVALID_INPUT');
    expect(codeThrownBy(() => port.parseWebhook(signedForm('demo-secret', { MessageSid: 'SM1', To: SENDER }, 'valid')))).toBe('INVALID_INPUT');
  });

  it('keeps a fault until it is cleared', async () => {
    const port = await createMock();
    port.injectFault('rate-limit');
    const send = () => port.send({ from: SENDER, to: CONTACT, body: 'hi', reference: 'msg_1' });
    await expect(send()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(send()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    port.injectFault(null);
    expect((await send()).status).toBe('queued');
  });

  it('answers webhooks with empty TwiML, like the demo telephony adapter', async () => {
    expect((await createMock()).webhookReply()).toEqual({ contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
  });
});
