import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isDomainError, type DomainError, type ErrorCode } from '../ports/errors.js';
import type { ProviderEventSink } from '../ports/plugin.js';
import type { MessageStatus } from '../ports/records.js';
import type { SendSmsRequest, TelephonyCapabilities, TelephonyPort } from '../ports/telephony.js';
import type { WebhookRequest } from '../ports/webhook.js';

/** Provider failures the harness can make the far side play, until it is called again with `null`. */
export type TelephonyFault = 'server-error' | 'rate-limit' | 'timeout';

/** How the harness signs a webhook: as the provider does, as someone without the secret would, or not at all. */
export type WebhookSigning = 'valid' | 'forged' | 'missing';

/** Delivery states the suite asks about, in our vocabulary; the harness words them as its provider does. */
export type ReportedDeliveryStatus = 'sent' | 'delivered' | 'undelivered' | 'failed';

/** A message as the far side (the provider, or its simulator) received it. */
export interface FarSideSms {
  from: string;
  to: string;
  body: string;
}

/** A status event the adapter pushed through `PluginContext.events.smsStatus`. */
export type PushedSmsStatus = Parameters<ProviderEventSink['smsStatus']>[0];

/**
 * The far side of a telephony adapter, as the contract suite needs it: what the provider received, and
 * webhooks exactly as the provider would send them. Vendor-neutral: the suite never knows which provider it is.
 */
export interface TelephonyHarness {
  /** A number the provider account owns: a valid `from`. */
  ownedNumber: string;
  /** A destination the provider accepts. */
  reachableNumber: string;
  /** A well-formed E.164 destination the provider refuses as an invalid number. */
  refusedNumber: string;
  /** The provider error code carried by `signedStatusUpdate(…, 'failed' | 'undelivered')`. */
  failureErrorCode: string;
  /** Credentials the adapter was built with: no error may reveal them. */
  secrets: readonly string[];
  /** The Retry-After the injected rate limit announces, when the provider announces one. */
  rateLimitRetryAfterSeconds?: number;
  /** What the far side received, oldest first. */
  sentMessages(): FarSideSms[] | Promise<FarSideSms[]>;
  /** An inbound-SMS webhook, as the provider would send it. `mediaUrls` is only asked for when `mms` is declared. */
  signedInboundSms(
    sms: { from: string; to: string; body: string; mediaUrls?: string[] },
    options?: { signing?: WebhookSigning },
  ): WebhookRequest | Promise<WebhookRequest>;
  /** A delivery-status webhook for a message, as the provider would send it. */
  signedStatusUpdate(
    providerMessageId: string,
    status: ReportedDeliveryStatus,
    options?: { signing?: WebhookSigning },
  ): WebhookRequest | Promise<WebhookRequest>;
  /** Makes every following send fail that way (server error, rate limit, no answer), until `null`. */
  injectFault(fault: TelephonyFault | null): void | Promise<void>;
  /** For providers that call back: the `statusCallbackUrl` the suite sends with. */
  statusCallbackUrl?: string;
  /** For providers that call back: the status webhooks the provider called at `statusCallbackUrl`. */
  statusWebhooks?(): WebhookRequest[] | Promise<WebhookRequest[]>;
  /** For adapters that push progress through `PluginContext.events`: what they pushed. */
  pushedStatuses?(): PushedSmsStatus[] | Promise<PushedSmsStatus[]>;
}

export interface TelephonyContractOptions {
  name: string;
  /** A fresh, isolated port and its harness; called before each test. */
  factory: () => Promise<{ port: TelephonyPort; harness: TelephonyHarness }>;
  /** Called after each test, after `port.close()`. */
  teardown?: () => Promise<void>;
  /** What the adapter declares; the suite skips what it cannot do. */
  capabilities: TelephonyCapabilities;
}

const SENT_OR_LATER: readonly MessageStatus[] = ['accepted', 'queued', 'sending', 'sent', 'delivered'];
const INBOUND_BODY = 'Meet at 10? Reply YES & bring the café receipt';
const STATUS_TIMEOUT_MS = 5000;

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    expect(isDomainError(err), `expected a DomainError, got ${String(err)}`).toBe(true);
    return err as DomainError;
  }
  throw new Error('expected the call to fail');
}

/** A DomainError with this code, a next step for the caller, and no secret anywhere in it. */
async function expectFailure(promise: Promise<unknown>, code: ErrorCode, secrets: readonly string[]): Promise<DomainError> {
  const err = await rejection(promise);
  expect(err.code).toBe(code);
  expect(typeof err.nextStep === 'string' && err.nextStep.length > 0, 'nextStep tells the caller what to do').toBe(true);
  const visible = JSON.stringify({ message: err.message, nextStep: err.nextStep, details: err.details, stack: err.stack });
  for (const secret of secrets) expect(visible.includes(secret), 'an error reveals a credential').toBe(false);
  return err;
}

/** The code of the DomainError `fn` throws; null when it returns or throws something else. */
function codeThrownBy(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    return isDomainError(err) ? err.code : null;
  }
  return null;
}

/** Every string value equal to `from` replaced, in the raw body and in the parsed fields alike. */
function tamperBody(request: WebhookRequest, from: string, to: string): WebhookRequest {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(request.params)) {
    params[key] = Array.isArray(value) ? value.map((v) => (v === from ? to : v)) : value === from ? to : value;
  }
  const encode = (text: string) => new URLSearchParams({ x: text }).toString().slice(2);
  const rawBody = request.rawBody.split(encode(from)).join(encode(to)).split(from).join(to);
  return { ...request, rawBody, params };
}

function withUrl(request: WebhookRequest, change: (url: URL) => void): WebhookRequest {
  const url = new URL(request.url);
  change(url);
  return { ...request, url: url.toString() };
}

let sendCounter = 0;

/** The published contract of the telephony port (SMS part): every adapter, ours or a third party's, runs it. */
export function describeTelephonyContract(o: TelephonyContractOptions): void {
  describe(`telephony contract: ${o.name}`, () => {
    let port: TelephonyPort;
    let harness: TelephonyHarness;

    beforeEach(async () => {
      ({ port, harness } = await o.factory());
    });

    afterEach(async () => {
      await port.close?.();
      await o.teardown?.();
    });

    const request = (overrides: Partial<SendSmsRequest> = {}): SendSmsRequest => ({
      from: harness.ownedNumber,
      to: harness.reachableNumber,
      body: 'Hello from the contract suite: ünïcode ✓, emoji 🚀, and\na second line.',
      reference: `msg_contract_${(sendCounter += 1)}`,
      ...overrides,
    });

    it('declares the capabilities it was registered with', () => {
      expect(port.capabilities).toEqual(o.capabilities);
    });

    describe.skipIf(!o.capabilities.sms)('sending SMS', () => {
      it('delivers exactly from, to and body to the far side and returns the provider id and a status', async () => {
        const sms = request();
        const result = await port.sendSms(sms);
        expect(typeof result.providerMessageId).toBe('string');
        expect(result.providerMessageId.length).toBeGreaterThan(0);
        expect(SENT_OR_LATER).toContain(result.status);
        expect(await harness.sentMessages()).toEqual([{ from: sms.from, to: sms.to, body: sms.body }]);
      });

      it('gives each message its own provider id', async () => {
        const first = await port.sendSms(request());
        const second = await port.sendSms(request());
        expect(first.providerMessageId).not.toBe(second.providerMessageId);
        expect(await harness.sentMessages()).toHaveLength(2);
      });

      it('reports a refused number as INVALID_PHONE_NUMBER and sends nothing', async () => {
        await expectFailure(port.sendSms(request({ to: harness.refusedNumber })), 'INVALID_PHONE_NUMBER', harness.secrets);
        expect(await harness.sentMessages()).toEqual([]);
      });

      it('reports a provider server error as PROVIDER_UNAVAILABLE, and recovers when it clears', async () => {
        await harness.injectFault('server-error');
        await expectFailure(port.sendSms(request()), 'PROVIDER_UNAVAILABLE', harness.secrets);
        await harness.injectFault(null);
        expect(SENT_OR_LATER).toContain((await port.sendSms(request())).status);
      });

      it('reports a rate limit as RATE_LIMITED, with the wait the provider asked for', async () => {
        await harness.injectFault('rate-limit');
        const err = await expectFailure(port.sendSms(request()), 'RATE_LIMITED', harness.secrets);
        const wait = err.details.retryAfterSeconds;
        if (harness.rateLimitRetryAfterSeconds !== undefined) expect(wait).toBe(harness.rateLimitRetryAfterSeconds);
        else if (wait !== undefined) expect(typeof wait === 'number' && wait >= 0).toBe(true);
      });

      it('reports no answer in time as PROVIDER_TIMEOUT', async () => {
        await harness.injectFault('timeout');
        await expectFailure(port.sendSms(request()), 'PROVIDER_TIMEOUT', harness.secrets);
      });

      it('reports delivery progress after a send (status callbacks or pushed events)', async ({ skip }) => {
        if (!harness.statusWebhooks && !harness.pushedStatuses) skip('the harness observes no delivery progress');
        const sms = request({ statusCallbackUrl: harness.statusCallbackUrl ?? 'https://comms.example.com/webhooks/sms/status' });
        const { providerMessageId } = await port.sendSms(sms);
        await vi.waitFor(async () => {
          const statuses: MessageStatus[] = [];
          for (const webhook of (await harness.statusWebhooks?.()) ?? []) {
            expect(port.verifyWebhook(webhook), 'the provider\'s own status callback verifies').toBe(true);
            const update = port.parseSmsStatus(webhook);
            if (update.providerMessageId === providerMessageId) statuses.push(update.status);
          }
          for (const event of (await harness.pushedStatuses?.()) ?? []) {
            if (event.providerMessageId !== providerMessageId) continue;
            expect(event.reference).toBe(sms.reference);
            statuses.push(event.status);
          }
          expect(statuses.at(-1)).toBe('delivered');
        }, { timeout: STATUS_TIMEOUT_MS, interval: 20 });
      });
    });

    describe.skipIf(!o.capabilities.sms)('webhook signatures', () => {
      const inbound = () => harness.signedInboundSms({ from: harness.reachableNumber, to: harness.ownedNumber, body: INBOUND_BODY });

      it('accepts the provider\'s signature on an inbound message and on a status update', async () => {
        expect(port.verifyWebhook(await inbound())).toBe(true);
        expect(port.verifyWebhook(await harness.signedStatusUpdate('contract-status-1', 'delivered'))).toBe(true);
      });

      it('rejects a tampered body', async () => {
        const genuine = await inbound();
        expect(port.verifyWebhook(tamperBody(genuine, INBOUND_BODY, INBOUND_BODY.replace('10', '11')))).toBe(false);
      });

      it('rejects the signature replayed on another URL', async () => {
        const genuine = await inbound();
        expect(port.verifyWebhook(withUrl(genuine, (u) => { u.pathname += '-other'; }))).toBe(false);
        expect(port.verifyWebhook(withUrl(genuine, (u) => { u.hostname = 'attacker.example.com'; }))).toBe(false);
        expect(port.verifyWebhook(withUrl(genuine, (u) => { u.searchParams.set('agent', 'someone-else'); }))).toBe(false);
      });

      it('rejects a missing signature', async () => {
        expect(port.verifyWebhook(await harness.signedInboundSms({ from: harness.reachableNumber, to: harness.ownedNumber, body: INBOUND_BODY }, { signing: 'missing' }))).toBe(false);
        expect(port.verifyWebhook(await harness.signedStatusUpdate('contract-status-2', 'sent', { signing: 'missing' }))).toBe(false);
      });

      it('rejects a forged signature', async () => {
        expect(port.verifyWebhook(await harness.signedInboundSms({ from: harness.reachableNumber, to: harness.ownedNumber, body: INBOUND_BODY }, { signing: 'forged' }))).toBe(false);
        expect(port.verifyWebhook(await harness.signedStatusUpdate('contract-status-3', 'delivered', { signing: 'forged' }))).toBe(false);
      });

      it('answers false, never throws, for malformed requests', async () => {
        const genuine = await inbound();
        expect(port.verifyWebhook({ ...genuine, url: 'not a url' })).toBe(false);
        expect(port.verifyWebhook({ url: 'https://comms.example.com/x', method: 'POST', headers: {}, rawBody: '', params: {} })).toBe(false);
      });
    });

    describe.skipIf(!o.capabilities.sms)('parsing webhooks', () => {
      it('reads from, to, body and provider id of an inbound SMS', async () => {
        const parsed = port.parseInboundSms(await harness.signedInboundSms({ from: harness.reachableNumber, to: harness.ownedNumber, body: INBOUND_BODY }));
        expect(parsed).toMatchObject({ from: harness.reachableNumber, to: harness.ownedNumber, body: INBOUND_BODY, mediaUrls: [] });
        expect(typeof parsed.providerMessageId === 'string' && parsed.providerMessageId.length > 0).toBe(true);
      });

      it.skipIf(!o.capabilities.mms)('reads the media URLs of an inbound MMS, in order', async () => {
        const mediaUrls = ['https://media.example.com/1.jpg', 'https://media.example.com/2.png'];
        const parsed = port.parseInboundSms(await harness.signedInboundSms({ from: harness.reachableNumber, to: harness.ownedNumber, body: 'pics', mediaUrls }));
        expect(parsed.mediaUrls).toEqual(mediaUrls);
      });

      it('refuses an inbound webhook without its required fields as INVALID_INPUT', () => {
        const empty: WebhookRequest = { url: 'https://comms.example.com/webhooks/sms', method: 'POST', headers: {}, rawBody: '', params: {} };
        expect(codeThrownBy(() => port.parseInboundSms(empty))).toBe('INVALID_INPUT');
      });

      it.each(['sent', 'delivered'] as const)('maps a %s status update', async (status) => {
        const update = port.parseSmsStatus(await harness.signedStatusUpdate('contract-status-4', status));
        expect(update).toEqual({ providerMessageId: 'contract-status-4', status, errorCode: null });
      });

      it.each(['failed', 'undelivered'] as const)('maps a %s status update with its error code', async (status) => {
        const update = port.parseSmsStatus(await harness.signedStatusUpdate('contract-status-5', status));
        expect(update).toEqual({ providerMessageId: 'contract-status-5', status, errorCode: harness.failureErrorCode });
      });

      it('refuses a status webhook without its required fields as INVALID_INPUT', () => {
        const empty: WebhookRequest = { url: 'https://comms.example.com/webhooks/sms/status', method: 'POST', headers: {}, rawBody: '', params: {} };
        expect(codeThrownBy(() => port.parseSmsStatus(empty))).toBe('INVALID_INPUT');
      });

      it('answers webhooks with a body and its content type', () => {
        const reply = port.webhookReply();
        expect(reply.contentType).toMatch(/^[\w.+-]+\/[\w.+-]+/);
        expect(typeof reply.body).toBe('string');
      });
    });
  });
}
