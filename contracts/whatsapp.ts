import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageStatus } from '../ports/records.js';
import type { WebhookRequest } from '../ports/webhook.js';
import type { SendWhatsAppRequest, WhatsAppEvent, WhatsAppPort } from '../ports/whatsapp.js';
import { codeThrownBy, expectFailure } from './domain-error-assertions.js';
import { fitsDeclaredKinds } from './webhook-kinds.js';

/** Provider failures the harness can make the far side play, until it is called again with `null`. */
export type WhatsAppFault = 'server-error' | 'rate-limit' | 'timeout';

/**
 * How the harness signs a webhook: as the provider does, as someone without the secret would, not at all, or
 * validly but long ago (asked for only when `signedTimestamp` is declared).
 */
export type WhatsAppWebhookSigning = 'valid' | 'forged' | 'missing' | 'stale';

/** Delivery states the suite asks about, in our vocabulary; the harness words them as its provider does. */
export type ReportedWhatsAppStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

/** A message as the far side (the provider, or its simulator) received it, in the port's terms. */
export interface FarSideWhatsApp {
  /** E.164, with +. */
  from: string;
  to: string;
  /** The text, or the caption of a media message; '' for a template. */
  body: string;
  mediaUrls: string[];
  template: { id: string; variables: Record<string, string> } | null;
}

/** An inbound message the harness builds as the provider's webhook. */
export interface InboundWhatsAppSpec {
  from: string;
  to: string;
  body: string;
  /** One attachment (asked for only when `inboundMedia` is declared); `body` is then its caption. */
  mediaUrl?: string;
  profileName?: string;
}

/**
 * The far side of a WhatsApp adapter, as the contract suite needs it: what the provider received, webhooks
 * exactly as the provider sends them, the contact's side of the 24-hour window, and faults. Vendor-neutral.
 */
export interface WhatsAppHarness {
  /** A WhatsApp Business number the account owns: a valid `from`. */
  sender: string;
  /** A WhatsApp user the provider delivers to. */
  contact: string;
  /** A well-formed E.164 destination the provider refuses as an invalid number; omitted if it has none. */
  refusedNumber?: string;
  /** The provider error code carried by `signedStatus(…, 'failed' | 'undelivered')`. */
  failureErrorCode: string;
  /** Credentials the adapter was built with: no error may reveal them. */
  secrets: readonly string[];
  /** The Retry-After the injected rate limit announces, when the provider announces one. */
  rateLimitRetryAfterSeconds?: number;
  /** What the far side received, oldest first. */
  received(): FarSideWhatsApp[] | Promise<FarSideWhatsApp[]>;
  /** `contact` writes to `sender` now, which opens the 24-hour window (a no-op where the provider enforces none). */
  openWindow(contact: string): void | Promise<void>;
  /** An inbound-message webhook, as the provider would send it. */
  signedInbound(message: InboundWhatsAppSpec, options?: { signing?: WhatsAppWebhookSigning }): WebhookRequest | Promise<WebhookRequest>;
  /** A delivery-status webhook for a message sent to `contact`, as the provider would send it. */
  signedStatus(
    providerMessageId: string,
    status: ReportedWhatsAppStatus,
    options?: { signing?: WhatsAppWebhookSigning },
  ): WebhookRequest | Promise<WebhookRequest>;
  /** Makes every following send fail that way, until `null`. Only faults declared in `capabilities.faults` are asked. */
  injectFault(fault: WhatsAppFault | null): void | Promise<void>;
  /** For providers that call back: the `statusCallbackUrl` the suite sends with … */
  statusCallbackUrl?: string;
  /** … and the status webhooks the provider called there. */
  statusWebhooks?(): WebhookRequest[] | Promise<WebhookRequest[]>;
}

/** What the adapter and its provider can do; the suite skips the rest. */
export interface WhatsAppContractCapabilities {
  /** The provider refuses free-form messages outside the 24-hour window (TEMPLATE_REQUIRED). */
  customerWindow: boolean;
  /** Approved templates with variables. */
  templates: boolean;
  /** Sends with one media URL, the body as its caption. */
  media: boolean;
  /** Inbound messages can carry an attachment. */
  inboundMedia: boolean;
  /** The webhook signature covers a timestamp, so stale (replayed) webhooks are refused. */
  signedTimestamp: boolean;
  /** The webhook signature covers the URL, so a webhook replayed on another URL is refused. */
  signedUrl: boolean;
  faults: readonly WhatsAppFault[];
}

export interface WhatsAppContractOptions {
  name: string;
  /** A fresh, isolated port and its harness; called before each test. */
  factory: () => Promise<{ port: WhatsAppPort; harness: WhatsAppHarness }>;
  /** Called after each test, after `port.close()`. */
  teardown?: () => Promise<void>;
  capabilities: WhatsAppContractCapabilities;
}

const ACCEPTED: readonly MessageStatus[] = ['accepted', 'queued', 'sending', 'sent'];
const INBOUND_BODY = 'Meet at 10? Reply YES & bring the café receipt 🚀';
const PROFILE_NAME = 'Ada Lovelace';
const STATUS_TIMEOUT_MS = 5000;

/** Every occurrence of `from` replaced by `to`, in the raw body (raw and form-encoded) and in the parsed fields alike. */
function tamperBody(request: WebhookRequest, from: string, to: string): WebhookRequest {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(request.params)) {
    params[key] = Array.isArray(value) ? value.map((v) => v.split(from).join(to)) : value.split(from).join(to);
  }
  const encode = (text: string) => new URLSearchParams({ x: text }).toString().slice(2);
  const rawBody = request.rawBody.split(encode(from)).join(encode(to)).split(from).join(to);
  expect(rawBody, 'the tampering changed the body').not.toBe(request.rawBody);
  return { ...request, rawBody, params };
}

function withUrl(request: WebhookRequest, change: (url: URL) => void): WebhookRequest {
  const url = new URL(request.url);
  change(url);
  return { ...request, url: url.toString() };
}

let sendCounter = 0;

/** The published contract of the WhatsApp port: every adapter, ours or a third party's, runs it. */
export function describeWhatsAppContract(o: WhatsAppContractOptions): void {
  const can = o.capabilities;

  describe(`whatsapp contract: ${o.name}`, () => {
    let port: WhatsAppPort;
    let harness: WhatsAppHarness;

    beforeEach(async () => {
      ({ port, harness } = await o.factory());
    });

    afterEach(async () => {
      await port.close?.();
      await o.teardown?.();
    });

    const request = (overrides: Partial<SendWhatsAppRequest> = {}): SendWhatsAppRequest => ({
      from: harness.sender,
      to: harness.contact,
      body: 'Hello from the contract suite: ünïcode ✓, emoji 🚀, and\na second line.',
      reference: `msg_contract_wa_${(sendCounter += 1)}`,
      ...overrides,
    });

    /** A free-form send inside the window: the contact wrote first. */
    const sendInWindow = async (overrides: Partial<SendWhatsAppRequest> = {}) => {
      const message = request(overrides);
      await harness.openWindow(message.to);
      return { message, result: await port.send(message) };
    };

    describe('sending', () => {
      it('delivers exactly from, to and text to the far side, and returns the provider id and a status', async () => {
        const { message, result } = await sendInWindow();
        expect(typeof result.providerMessageId === 'string' && result.providerMessageId.length > 0).toBe(true);
        expect(ACCEPTED).toContain(result.status);
        expect(await harness.received()).toEqual([
          { from: message.from, to: message.to, body: message.body, mediaUrls: [], template: null },
        ]);
      });

      it('gives each message its own provider id', async () => {
        const first = await sendInWindow();
        const second = await sendInWindow();
        expect(first.result.providerMessageId).not.toBe(second.result.providerMessageId);
        expect(await harness.received()).toHaveLength(2);
      });

      it('refuses a message with no body, media or template as INVALID_INPUT and sends nothing', async () => {
        await harness.openWindow(harness.contact);
        await expectFailure(port.send(request({ body: undefined })), 'INVALID_INPUT', harness.secrets);
        await expectFailure(port.send(request({ body: '', mediaUrls: [] })), 'INVALID_INPUT', harness.secrets);
        expect(await harness.received()).toEqual([]);
      });

      it.skipIf(!can.media)('sends one media URL with the body as its caption', async () => {
        const mediaUrls = ['https://media.example.com/receipts/photo-1.jpg'];
        const { message } = await sendInWindow({ body: 'The receipt', mediaUrls });
        expect(await harness.received()).toEqual([{ from: message.from, to: message.to, body: 'The receipt', mediaUrls, template: null }]);
      });

      it.skipIf(!can.templates).each([
        ['numbered', { 1: 'Ada', 2: 'Tuesday 10:00' }],
        ['named', { first_name: 'Ada', appointment: 'Tuesday 10:00' }],
        ['no', {}],
      ] as const)('sends an approved template with %s variables exactly, without an open window', async (_case, variables) => {
        const template = { id: 'appointment_reminder', variables: { ...variables } as Record<string, string> };
        const result = await port.send(request({ body: undefined, template }));
        expect(ACCEPTED).toContain(result.status);
        expect(await harness.received()).toEqual([{ from: harness.sender, to: harness.contact, body: '', mediaUrls: [], template }]);
      });

      it('reports a refused number as INVALID_PHONE_NUMBER and sends nothing', async ({ skip }) => {
        const refused = harness.refusedNumber;
        if (refused === undefined) return skip('the harness has no refused number');
        await harness.openWindow(refused);
        await expectFailure(port.send(request({ to: refused })), 'INVALID_PHONE_NUMBER', harness.secrets);
        expect(await harness.received()).toEqual([]);
      });
    });

    describe.skipIf(!can.customerWindow)('the 24-hour customer care window', () => {
      it('refuses free-form text to a contact who has not written as TEMPLATE_REQUIRED, and sends nothing', async () => {
        await expectFailure(port.send(request()), 'TEMPLATE_REQUIRED', harness.secrets);
        expect(await harness.received()).toEqual([]);
      });

      it('refuses free-form media outside the window too', async ({ skip }) => {
        if (!can.media) return skip('no media');
        await expectFailure(port.send(request({ mediaUrls: ['https://media.example.com/a.jpg'] })), 'TEMPLATE_REQUIRED', harness.secrets);
      });

      it('accepts the same text once the contact has written', async () => {
        const message = request();
        await expectFailure(port.send(message), 'TEMPLATE_REQUIRED', harness.secrets);
        await harness.openWindow(message.to);
        expect(ACCEPTED).toContain((await port.send({ ...message, reference: `${message.reference}_retry` })).status);
        expect(await harness.received()).toHaveLength(1);
      });

      it('accepts free-form text right after the contact\'s inbound message was received', async () => {
        // The usual order in production: the contact writes, our server parses the webhook, the agent answers.
        const inbound = await harness.signedInbound({ from: harness.contact, to: harness.sender, body: INBOUND_BODY });
        expect(port.parseWebhook(inbound)[0]?.kind).toBe('received');
        expect(ACCEPTED).toContain((await port.send(request())).status);
      });
    });

    describe('provider failures', () => {
      it.skipIf(!can.faults.includes('server-error'))('reports a server error as PROVIDER_UNAVAILABLE, and recovers when it clears', async () => {
        await harness.openWindow(harness.contact);
        await harness.injectFault('server-error');
        await expectFailure(port.send(request()), 'PROVIDER_UNAVAILABLE', harness.secrets);
        await harness.injectFault(null);
        expect(ACCEPTED).toContain((await port.send(request())).status);
      });

      it.skipIf(!can.faults.includes('rate-limit'))('reports a rate limit as RATE_LIMITED, with the wait the provider asked for', async () => {
        await harness.openWindow(harness.contact);
        await harness.injectFault('rate-limit');
        const err = await expectFailure(port.send(request()), 'RATE_LIMITED', harness.secrets);
        const wait = err.details.retryAfterSeconds;
        if (harness.rateLimitRetryAfterSeconds !== undefined) expect(wait).toBe(harness.rateLimitRetryAfterSeconds);
        else if (wait !== undefined) expect(typeof wait === 'number' && wait >= 0).toBe(true);
      });

      it.skipIf(!can.faults.includes('timeout'))('reports no answer in time as PROVIDER_TIMEOUT', async () => {
        await harness.openWindow(harness.contact);
        await harness.injectFault('timeout');
        await expectFailure(port.send(request()), 'PROVIDER_TIMEOUT', harness.secrets);
      });

      it('reports delivery progress through signed status webhooks', async ({ skip }) => {
        const statusWebhooks = harness.statusWebhooks?.bind(harness);
        if (!statusWebhooks || !harness.statusCallbackUrl) return skip('the provider reports no progress the harness can observe');
        const { result } = await sendInWindow({ statusCallbackUrl: harness.statusCallbackUrl });
        await vi.waitFor(async () => {
          const statuses: MessageStatus[] = [];
          for (const webhook of await statusWebhooks()) {
            expect(port.verifyWebhook(webhook), 'the provider\'s own status webhook verifies').toBe(true);
            for (const event of port.parseWebhook(webhook)) {
              if (event.kind === 'status' && event.providerMessageId === result.providerMessageId) statuses.push(event.status);
            }
          }
          expect(statuses).toContain('delivered');
          expect(['delivered', 'read']).toContain(statuses.at(-1));
        }, { timeout: STATUS_TIMEOUT_MS, interval: 20 });
      });
    });

    describe('webhook signatures', () => {
      const inbound = (signing: WhatsAppWebhookSigning = 'valid') =>
        harness.signedInbound({ from: harness.contact, to: harness.sender, body: INBOUND_BODY }, { signing });

      it('accepts the provider\'s signature on an inbound message and on a status update', async () => {
        expect(port.verifyWebhook(await inbound())).toBe(true);
        expect(port.verifyWebhook(await harness.signedStatus('contract-status-1', 'delivered'))).toBe(true);
        expect(fitsDeclaredKinds(port.webhookKinds, await inbound()), 'an inbound webhook fits the kinds the adapter declares').toBe(true);
        expect(fitsDeclaredKinds(port.webhookKinds, await harness.signedStatus('contract-status-kinds', 'delivered')), 'a status webhook too').toBe(true);
      });

      it('rejects a tampered body', async () => {
        expect(port.verifyWebhook(tamperBody(await inbound(), 'Meet at 10', 'Meet at 11'))).toBe(false);
        const status = await harness.signedStatus('contract-status-2', 'delivered');
        expect(port.verifyWebhook(tamperBody(status, 'contract-status-2', 'contract-status-3'))).toBe(false);
      });

      it('rejects a missing signature', async () => {
        expect(port.verifyWebhook(await inbound('missing'))).toBe(false);
        expect(port.verifyWebhook(await harness.signedStatus('contract-status-4', 'sent', { signing: 'missing' }))).toBe(false);
      });

      it('rejects a forged signature', async () => {
        expect(port.verifyWebhook(await inbound('forged'))).toBe(false);
        expect(port.verifyWebhook(await harness.signedStatus('contract-status-5', 'delivered', { signing: 'forged' }))).toBe(false);
      });

      it.skipIf(!can.signedTimestamp)('rejects a stale signature (a replay)', async () => {
        expect(port.verifyWebhook(await inbound('stale'))).toBe(false);
        expect(port.verifyWebhook(await harness.signedStatus('contract-status-6', 'read', { signing: 'stale' }))).toBe(false);
      });

      it.skipIf(!can.signedUrl)('rejects the signature replayed on another URL', async () => {
        const genuine = await inbound();
        expect(port.verifyWebhook(withUrl(genuine, (u) => { u.pathname += '-other'; }))).toBe(false);
        expect(port.verifyWebhook(withUrl(genuine, (u) => { u.hostname = 'attacker.example.com'; }))).toBe(false);
        expect(port.verifyWebhook({ ...genuine, url: 'not a url' })).toBe(false);
      });

      it('answers false, never throws, for malformed requests', async () => {
        const genuine = await inbound();
        const headers = Object.fromEntries(Object.keys(genuine.headers).map((name) => [name, 'garbage']));
        expect(port.verifyWebhook({ ...genuine, headers })).toBe(false);
        expect(port.verifyWebhook({ url: 'https://comms.example.com/x', method: 'POST', headers: {}, rawBody: '', params: {} })).toBe(false);
      });
    });

    describe('parsing webhooks', () => {
      it('reads an inbound text message: ids, E.164 numbers, body and profile name', async () => {
        const events = port.parseWebhook(await harness.signedInbound({
          from: harness.contact, to: harness.sender, body: INBOUND_BODY, profileName: PROFILE_NAME,
        }));
        expect(events).toHaveLength(1);
        const [event] = events as [WhatsAppEvent];
        if (event.kind !== 'received') throw new Error(`expected a received event, got ${event.kind}`);
        expect(event.message).toMatchObject({ from: harness.contact, to: harness.sender, body: INBOUND_BODY, mediaUrls: [], profileName: PROFILE_NAME });
        expect(event.message.providerMessageId.length).toBeGreaterThan(0);
      });

      it.skipIf(!can.inboundMedia)('reads the attachment of an inbound message and its caption', async () => {
        const mediaUrl = 'https://media.example.com/inbound/1.jpg';
        const [event] = port.parseWebhook(await harness.signedInbound({ from: harness.contact, to: harness.sender, body: 'look', mediaUrl }));
        expect(event).toMatchObject({ kind: 'received', message: { body: 'look', mediaUrls: [mediaUrl] } });
      });

      it.each(['sent', 'delivered', 'read'] as const)('maps a %s status update', async (status) => {
        const events = port.parseWebhook(await harness.signedStatus('contract-status-7', status));
        expect(events).toEqual([{ kind: 'status', providerMessageId: 'contract-status-7', status, errorCode: null }]);
      });

      it.each(['failed', 'undelivered'] as const)('maps a %s status update with its error code', async (status) => {
        const events = port.parseWebhook(await harness.signedStatus('contract-status-8', status));
        expect(events).toEqual([{ kind: 'status', providerMessageId: 'contract-status-8', status, errorCode: harness.failureErrorCode }]);
      });

      it('refuses a webhook without its required fields as INVALID_INPUT', () => {
        const empty: WebhookRequest = { url: 'https://comms.example.com/webhooks/whatsapp', method: 'POST', headers: {}, rawBody: '', params: {} };
        expect(codeThrownBy(() => port.parseWebhook(empty))).toBe('INVALID_INPUT');
      });

      it('answers webhooks with a body and its content type', () => {
        const reply = port.webhookReply();
        expect(reply.contentType).toMatch(/^[\w.+-]+\/[\w.+-]+/);
        expect(typeof reply.body).toBe('string');
      });
    });
  });
}
