import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CALL_STATUSES, FINAL_CALL_STATUSES, type CallStatus, type CallStatusUpdate, type ConversationSettings, type MakeCallRequest,
  type TelephonyCalls,
} from '../ports/calls.js';
import type { ProviderEventSink } from '../ports/plugin.js';
import type { MessageStatus } from '../ports/records.js';
import type { SendSmsRequest, TelephonyCapabilities, TelephonyPort } from '../ports/telephony.js';
import type { WebhookReply, WebhookRequest } from '../ports/webhook.js';
import { codeThrownBy, expectFailure } from './domain-error-assertions.js';
import { fitsDeclaredKinds } from './webhook-kinds.js';

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

/** A status event the adapter pushed through `PluginContext.events.messageStatus`. */
export type PushedSmsStatus = Parameters<ProviderEventSink['messageStatus']>[0];

/** A call status event the adapter pushed through `PluginContext.events.callStatus`. */
export type PushedCallStatus = Parameters<ProviderEventSink['callStatus']>[0];

/** A call as the far side (the provider, or its simulator) received it. */
export interface FarSideCall {
  from: string;
  to: string;
  /** The audio URLs the callee heard, in order, once per time played: `loop` 2 of `[a]` is `[a, a]`. */
  played: string[];
}

/** Call states the suite asks a webhook for; the harness words them as its provider does. */
export type ReportedCallStatus = 'ringing' | 'in-progress' | 'completed';

/**
 * What an answer to a voice webhook (or the instructions a placed call runs) tells the provider to do, in neutral
 * terms: the harness reads its provider's format (TwiML, NCCO …) into this, so the suite never parses vendor formats.
 */
export type CallInstructions =
  /** Connect the call to our voice socket. Absent attributes read as null (`parameters` as `{}`). */
  | {
    kind: 'conversation';
    relayUrl: string;
    welcomeGreeting: string | null;
    voice: string | null;
    language: string | null;
    /** True when the caller's speech interrupts the agent. */
    interruptible: boolean;
    actionUrl: string | null;
    parameters: Record<string, string>;
  }
  /** Connect the caller to a person at `to`, showing `callerId`. */
  | { kind: 'transfer'; to: string; callerId: string | null }
  | { kind: 'hangup' }
  /** Anything else (playing audio …), described for the failure message. */
  | { kind: 'other'; description: string };

/** The far side of calls, for adapters that declare `voice`. */
export interface TelephonyCallHarness {
  /**
   * The URL of a valid audio file (MP3 or WAV) that the harness serves and the far side can download: the
   * suite plays it. Far sides that download nothing may give any URL.
   */
  audioUrl: string;
  /** The calls the far side received, oldest first, with what each callee heard so far. */
  placedCalls(): FarSideCall[] | Promise<FarSideCall[]>;
  /** A call status webhook, as the provider would send it; `durationSeconds` goes with `completed`. */
  signedCallStatus(
    providerCallId: string,
    status: ReportedCallStatus,
    options?: { durationSeconds?: number; signing?: WebhookSigning },
  ): WebhookRequest | Promise<WebhookRequest>;
  /** For providers that call back: the `statusCallbackUrl` the suite calls with. */
  statusCallbackUrl?: string;
  /** For providers that call back: the call status webhooks the provider called at `statusCallbackUrl`. */
  statusWebhooks?(): WebhookRequest[] | Promise<WebhookRequest[]>;
  /** For adapters that push progress through `PluginContext.events`: what they pushed. */
  pushedStatuses?(): PushedCallStatus[] | Promise<PushedCallStatus[]>;
  /** Reads the adapter's answer to a voice webhook (`answerWithConversation`, `answerWithTransfer` …) as the provider would. */
  readInstructions(reply: WebhookReply): CallInstructions;
  /** What the far side was told to run when the call placed with this provider id was answered; null for no such call. */
  placedInstructions(providerCallId: string): CallInstructions | null | Promise<CallInstructions | null>;
  /** An incoming-call webhook (someone calls `to`), as the provider would send it. */
  signedIncomingCall(call: { from: string; to: string }, options?: { signing?: WebhookSigning }): WebhookRequest | Promise<WebhookRequest>;
  /**
   * The webhook the provider sends to a conversation's `actionUrl` when it ends: with the `handoffData` our socket
   * sent in its `end` message, or, for null, after the caller hung up. Asked only when conversations are declared.
   */
  signedConversationEnd?(
    providerCallId: string,
    handoffData: string | null,
    options?: { signing?: WebhookSigning },
  ): WebhookRequest | Promise<WebhookRequest>;
}

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
  /** Required when the adapter declares `voice`: the far side of its calls. */
  calls?: TelephonyCallHarness;
}

export interface TelephonyContractOptions {
  name: string;
  /** A fresh, isolated port and its harness; called before each test. */
  factory: () => Promise<{ port: TelephonyPort; harness: TelephonyHarness }>;
  /** Called after each test, after `port.close()`. */
  teardown?: () => Promise<void>;
  /** What the adapter declares; the suite skips what it cannot do. */
  capabilities: TelephonyCapabilities;
  /**
   * Whether the provider's webhook signature covers the URL (default true). Where it does not (Vonage signs the
   * body only), a webhook replayed on another URL cannot be told apart, and the suite does not ask.
   */
  signatureCoversUrl?: boolean;
  /**
   * Whether the adapter's live conversations have ConversationRelay's shape (default true): the provider speaks the
   * greeting, and the end webhook carries our handoff data. An adapter that carries them over a raw media stream
   * only (Vonage: our recogniser and voice, the handoff stored by our socket) is tested on that in its own suite.
   */
  relayConversations?: boolean;
}

const SENT_OR_LATER: readonly MessageStatus[] = ['accepted', 'queued', 'sending', 'sent', 'delivered'];
const INBOUND_BODY = 'Meet at 10? Reply YES & bring the café receipt';
/** A greeting with everything a markup format must escape, and more than ASCII. */
const GREETING = 'Hello! You reached Ada & Co — "how can I help?" <ünïcode ✓>';
const STATUS_TIMEOUT_MS = 5000;

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
let callCounter = 0;

/** Order of the non-final call states; every final state comes after them all. */
const CALL_PROGRESS_RANK: Readonly<Record<CallStatus, number>> = {
  queued: 0, initiated: 1, ringing: 2, 'in-progress': 3, completed: 4, busy: 4, failed: 4, 'no-answer': 4, canceled: 4,
};
const CALL_TIMEOUT_MS = 10_000;
/** A script long enough to hang up on while it plays: the file a thousand times. */
const LONG_LOOP = 1000;

function isFinalCallStatus(status: CallStatus): boolean {
  return FINAL_CALL_STATUSES.includes(status);
}

/**
 * The published contract of the telephony port (SMS, and calls when `voice` is declared): every adapter, ours
 * or a third party's, runs it.
 */
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

      it('declares webhook kinds that the provider\'s own webhooks fit (else the host would refuse them unread)', async () => {
        expect(fitsDeclaredKinds(port.webhookKinds, await inbound())).toBe(true);
        expect(fitsDeclaredKinds(port.webhookKinds, await harness.signedStatusUpdate('contract-status-kinds', 'delivered'))).toBe(true);
      });

      it('rejects a tampered body', async () => {
        const genuine = await inbound();
        expect(port.verifyWebhook(tamperBody(genuine, INBOUND_BODY, INBOUND_BODY.replace('10', '11')))).toBe(false);
      });

      it.skipIf(o.signatureCoversUrl === false)('rejects the signature replayed on another URL', async () => {
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

    describe.skipIf(!o.capabilities.voice)('calls', () => {
      const far = (): TelephonyCallHarness => {
        if (!harness.calls) throw new Error('The harness of an adapter that declares voice must provide `calls`.');
        return harness.calls;
      };
      const calls = (): TelephonyCalls => {
        if (!port.calls) throw new Error('An adapter that declares voice must expose `calls`.');
        return port.calls;
      };
      const call = (overrides: Partial<MakeCallRequest> = {}): MakeCallRequest => ({
        from: harness.ownedNumber,
        to: harness.reachableNumber,
        script: { kind: 'play', audioUrls: [far().audioUrl], loop: 2 },
        reference: `call_contract_${(callCounter += 1)}`,
        ...(far().statusCallbackUrl ? { statusCallbackUrl: far().statusCallbackUrl } : {}),
        ...overrides,
      });

      /** Every status observed for the call, in the order the provider reported them. */
      async function progressOf(providerCallId: string, reference: string): Promise<CallStatusUpdate[]> {
        const updates: CallStatusUpdate[] = [];
        for (const webhook of (await far().statusWebhooks?.()) ?? []) {
          expect(port.verifyWebhook(webhook), 'the provider\'s own call status callback verifies').toBe(true);
          const update = calls().parseCallStatus(webhook);
          if (update.providerCallId === providerCallId) updates.push(update);
        }
        for (const { reference: echoed, ...update } of (await far().pushedStatuses?.()) ?? []) {
          if (update.providerCallId !== providerCallId) continue;
          expect(echoed).toBe(reference);
          updates.push(update);
        }
        return updates;
      }

      async function until(providerCallId: string, reference: string, reached: (statuses: CallStatus[]) => boolean): Promise<CallStatusUpdate[]> {
        let updates: CallStatusUpdate[] = [];
        await vi.waitFor(async () => {
          updates = await progressOf(providerCallId, reference);
          expect(reached(updates.map((u) => u.status)), `statuses so far: ${updates.map((u) => u.status).join(', ')}`).toBe(true);
        }, { timeout: CALL_TIMEOUT_MS, interval: 20 });
        return updates;
      }

      it.runIf(o.capabilities.conversations === false)('refuses conversations it declares it cannot hold, as CHANNEL_NOT_CONFIGURED', async () => {
        const conversation: ConversationSettings = {
          relayUrl: 'wss://comms.example.com/voice/relay/call_contract', welcomeGreeting: null, interruptible: true,
          actionUrl: 'https://comms.example.com/webhooks/agt_contract/voice/action',
        };
        await expectFailure(calls().makeCall(call({ script: { kind: 'converse', conversation } })), 'CHANNEL_NOT_CONFIGURED', harness.secrets);
        expect(codeThrownBy(() => calls().answerWithConversation(conversation))).toBe('CHANNEL_NOT_CONFIGURED');
        expect(await far().placedCalls()).toEqual([]);
      });

      it('exposes calls when it declares voice, and its harness can observe them', () => {
        expect(calls()).toBeDefined();
        expect(far().statusWebhooks ?? far().pushedStatuses, 'the harness observes call progress').toBeDefined();
      });

      it('places a call: a provider id and a status, and the far side plays exactly the given audio', async () => {
        const request = call();
        const result = await calls().makeCall(request);
        expect(typeof result.providerCallId === 'string' && result.providerCallId.length > 0).toBe(true);
        expect(CALL_STATUSES).toContain(result.status);
        expect(isFinalCallStatus(result.status), 'a call that was just placed has not ended').toBe(false);
        await vi.waitFor(async () => {
          expect(await far().placedCalls()).toEqual([{ from: request.from, to: request.to, played: [far().audioUrl, far().audioUrl] }]);
        }, { timeout: CALL_TIMEOUT_MS, interval: 20 });
        const second = await calls().makeCall(call());
        expect(second.providerCallId).not.toBe(result.providerCallId);
      });

      it('reports progress in order, answered, ending completed with a duration', async () => {
        const request = call();
        const { providerCallId } = await calls().makeCall(request);
        const updates = await until(providerCallId, request.reference, (s) => s.some(isFinalCallStatus));
        const statuses = updates.map((u) => u.status);
        expect(statuses).toContain('in-progress');
        expect(statuses.filter(isFinalCallStatus)).toEqual(['completed']);
        expect(statuses.at(-1)).toBe('completed');
        const ranks = statuses.map((status) => CALL_PROGRESS_RANK[status]);
        expect(ranks, `in order: ${statuses.join(', ')}`).toEqual([...ranks].sort((a, b) => a - b));
        const final = updates.at(-1);
        expect(final?.durationSeconds ?? 0).toBeGreaterThan(0);
        for (const update of updates) {
          expect(update.providerCallId).toBe(providerCallId);
          expect(update.occurredAt === null || update.occurredAt instanceof Date).toBe(true);
        }
        // Hanging up a call that has ended changes nothing and is not an error.
        await calls().hangUp(providerCallId);
      });

      it('hangs up a live call: it ends completed', async () => {
        const request = call({ script: { kind: 'play', audioUrls: [far().audioUrl], loop: LONG_LOOP } });
        const { providerCallId } = await calls().makeCall(request);
        await until(providerCallId, request.reference, (s) => s.includes('in-progress') || s.some(isFinalCallStatus));
        // Connected for over a second before the hang-up: a call cut within its first second may report 0 s.
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        await calls().hangUp(providerCallId);
        const updates = await until(providerCallId, request.reference, (s) => s.some(isFinalCallStatus));
        expect(updates.map((u) => u.status).filter(isFinalCallStatus)).toEqual(['completed']);
        expect(updates.at(-1)?.durationSeconds ?? 0).toBeGreaterThan(0);
      });

      it('reports a refused number as INVALID_PHONE_NUMBER and places nothing', async () => {
        await expectFailure(calls().makeCall(call({ to: harness.refusedNumber })), 'INVALID_PHONE_NUMBER', harness.secrets);
        expect(await far().placedCalls()).toEqual([]);
      });

      it('refuses a script with nothing to play, or no pass, as INVALID_INPUT', async () => {
        await expectFailure(calls().makeCall(call({ script: { kind: 'play', audioUrls: [], loop: 1 } })), 'INVALID_INPUT', harness.secrets);
        await expectFailure(calls().makeCall(call({ script: { kind: 'play', audioUrls: [far().audioUrl], loop: 0 } })), 'INVALID_INPUT', harness.secrets);
        expect(await far().placedCalls()).toEqual([]);
      });

      it('reports provider faults with the SMS codes, and recovers when they clear', async () => {
        await harness.injectFault('server-error');
        await expectFailure(calls().makeCall(call()), 'PROVIDER_UNAVAILABLE', harness.secrets);
        await harness.injectFault('rate-limit');
        const limited = await expectFailure(calls().makeCall(call()), 'RATE_LIMITED', harness.secrets);
        if (harness.rateLimitRetryAfterSeconds !== undefined) expect(limited.details.retryAfterSeconds).toBe(harness.rateLimitRetryAfterSeconds);
        await harness.injectFault('timeout');
        await expectFailure(calls().makeCall(call()), 'PROVIDER_TIMEOUT', harness.secrets);
        await harness.injectFault(null);
        expect(CALL_STATUSES).toContain((await calls().makeCall(call())).status);
      });

      it('reports hanging up a call the provider never placed as NOT_FOUND', async () => {
        await expectFailure(calls().hangUp('no-such-call-0000'), 'NOT_FOUND', harness.secrets);
      });

      it('verifies and maps a signed call status webhook', async () => {
        const completed = await far().signedCallStatus('contract-call-1', 'completed', { durationSeconds: 42 });
        expect(port.verifyWebhook(completed)).toBe(true);
        const update = calls().parseCallStatus(completed);
        expect(update).toMatchObject({ providerCallId: 'contract-call-1', status: 'completed', durationSeconds: 42 });
        expect(update.priceMicros === null || Number.isInteger(update.priceMicros)).toBe(true);
        expect(update.priceMicros === null ? update.currency === null : /^[A-Z]{3}$/.test(update.currency ?? '')).toBe(true);
        expect(update.occurredAt === null || update.occurredAt instanceof Date).toBe(true);
        const ringing = calls().parseCallStatus(await far().signedCallStatus('contract-call-2', 'ringing'));
        expect(ringing).toMatchObject({ providerCallId: 'contract-call-2', status: 'ringing', durationSeconds: null });
      });

      it('rejects a forged, missing or tampered call status signature', async () => {
        expect(port.verifyWebhook(await far().signedCallStatus('contract-call-3', 'completed', { durationSeconds: 5, signing: 'forged' }))).toBe(false);
        expect(port.verifyWebhook(await far().signedCallStatus('contract-call-3', 'completed', { durationSeconds: 5, signing: 'missing' }))).toBe(false);
        const genuine = await far().signedCallStatus('contract-call-3', 'completed', { durationSeconds: 5 });
        expect(port.verifyWebhook(tamperBody(genuine, 'contract-call-3', 'contract-call-4'))).toBe(false);
      });

      it('refuses a call status webhook without its required fields as INVALID_INPUT', () => {
        const empty: WebhookRequest = { url: 'https://comms.example.com/webhooks/calls/status', method: 'POST', headers: {}, rawBody: '', params: {} };
        expect(codeThrownBy(() => calls().parseCallStatus(empty))).toBe('INVALID_INPUT');
      });

      it('verifies and reads an incoming-call webhook, and rejects a forged or tampered one', async () => {
        const incoming = await far().signedIncomingCall({ from: harness.reachableNumber, to: harness.ownedNumber });
        expect(port.verifyWebhook(incoming)).toBe(true);
        const parsed = calls().parseIncomingCall(incoming);
        expect(parsed).toEqual({ providerCallId: expect.any(String), from: harness.reachableNumber, to: harness.ownedNumber });
        expect(parsed.providerCallId.length).toBeGreaterThan(0);
        // Providers write the number with or without its +: change it either way, and make sure something changed.
        const tampered = tamperBody(tamperBody(incoming, harness.reachableNumber, '+15550188'), harness.reachableNumber.replace(/^\+/, ''), '15550188');
        expect(tampered.rawBody).not.toBe(incoming.rawBody);
        expect(port.verifyWebhook(tampered)).toBe(false);
        expect(port.verifyWebhook(await far().signedIncomingCall({ from: harness.reachableNumber, to: harness.ownedNumber }, { signing: 'forged' }))).toBe(false);
        expect(port.verifyWebhook(await far().signedIncomingCall({ from: harness.reachableNumber, to: harness.ownedNumber }, { signing: 'missing' }))).toBe(false);
      });

      describe.skipIf(o.capabilities.conversations === false || o.relayConversations === false)('live conversations', () => {
        const settings = (overrides: Partial<ConversationSettings> = {}): ConversationSettings => ({
          relayUrl: `wss://comms.example.com/voice/relay/call_contract_${callCounter}`,
          welcomeGreeting: GREETING,
          voice: 'en-US-Neural2-F',
          language: 'en-US',
          interruptible: true,
          actionUrl: 'https://comms.example.com/webhooks/agt_contract/voice/action',
          parameters: { callId: `call_contract_${callCounter}`, note: 'a & b <c> "d"' },
          ...overrides,
        });
        const asInstructions = (given: ConversationSettings): CallInstructions => ({
          kind: 'conversation',
          relayUrl: given.relayUrl,
          welcomeGreeting: given.welcomeGreeting,
          voice: given.voice ?? null,
          language: given.language ?? null,
          interruptible: given.interruptible,
          actionUrl: given.actionUrl,
          parameters: given.parameters ?? {},
        });
        const read = (reply: WebhookReply): CallInstructions => {
          expect(reply.contentType).toMatch(/^[\w.+-]+\/[\w.+-]+/);
          return far().readInstructions(reply);
        };
        const conversationEnd: NonNullable<TelephonyCallHarness['signedConversationEnd']> = (...args) => {
          const signed = far().signedConversationEnd;
          if (!signed) throw new Error('The harness of an adapter that declares conversations must provide `signedConversationEnd`.');
          return signed(...args);
        };

        it('answers an incoming call with a conversation on the relay URL, with greeting, voice, language and parameters', () => {
          const given = settings();
          expect(read(calls().answerWithConversation(given))).toEqual(asInstructions(given));
        });

        it('leaves out a greeting, voice and language not set, and can make the agent uninterruptible', () => {
          const given = settings({ welcomeGreeting: null, voice: undefined, language: undefined, interruptible: false, parameters: undefined });
          expect(read(calls().answerWithConversation(given))).toEqual(asInstructions(given));
        });

        it('reads the end of a conversation with the handoff data as sent, or none after a hang-up', async () => {
          const handoffData = JSON.stringify({ reason: 'transfer', to: '+15550123', note: 'ünïcode & "quotes"' });
          const transfer = await conversationEnd('contract-call-10', handoffData);
          expect(port.verifyWebhook(transfer)).toBe(true);
          expect(calls().parseConversationEnd(transfer)).toEqual({ providerCallId: 'contract-call-10', handoffData });
          const hungUp = await conversationEnd('contract-call-11', null);
          expect(port.verifyWebhook(hungUp)).toBe(true);
          expect(calls().parseConversationEnd(hungUp)).toEqual({ providerCallId: 'contract-call-11', handoffData: null });
          expect(port.verifyWebhook(await conversationEnd('contract-call-12', handoffData, { signing: 'forged' }))).toBe(false);
          expect(port.verifyWebhook(tamperBody(transfer, 'contract-call-10', 'contract-call-13'))).toBe(false);
        });

        it('refuses incoming-call and conversation-end webhooks without their required fields as INVALID_INPUT', () => {
          const empty: WebhookRequest = { url: 'https://comms.example.com/webhooks/agt_contract/voice', method: 'POST', headers: {}, rawBody: '', params: {} };
          expect(codeThrownBy(() => calls().parseIncomingCall(empty))).toBe('INVALID_INPUT');
          expect(codeThrownBy(() => calls().parseConversationEnd(empty))).toBe('INVALID_INPUT');
        });

        it('answers the end of a conversation with a transfer to a person, or a hang-up', () => {
          expect(read(calls().answerWithTransfer('+15550123', harness.ownedNumber))).toEqual({ kind: 'transfer', to: '+15550123', callerId: harness.ownedNumber });
          expect(read(calls().answerWithHangup())).toEqual({ kind: 'hangup' });
        });

        it('places a conversation call: the far side is told to connect to the relay, and the call ends completed', async () => {
          const given = settings();
          const request = call({ script: { kind: 'converse', conversation: given } });
          const { providerCallId, status } = await calls().makeCall(request);
          expect(isFinalCallStatus(status), 'a call that was just placed has not ended').toBe(false);
          expect(await far().placedInstructions(providerCallId)).toEqual(asInstructions(given));
          await until(providerCallId, request.reference, (s) => s.includes('in-progress') || s.some(isFinalCallStatus));
          await calls().hangUp(providerCallId);
          const updates = await until(providerCallId, request.reference, (s) => s.some(isFinalCallStatus));
          expect(updates.map((u) => u.status).filter(isFinalCallStatus)).toEqual(['completed']);
        });

        it('refuses a conversation whose relay URL is not a WebSocket URL, or whose action URL is not http(s), as INVALID_INPUT', async () => {
          const badRelay = settings({ relayUrl: 'https://comms.example.com/voice/relay/call_x' });
          await expectFailure(calls().makeCall(call({ script: { kind: 'converse', conversation: badRelay } })), 'INVALID_INPUT', harness.secrets);
          const badAction = settings({ actionUrl: 'ftp://comms.example.com/action' });
          await expectFailure(calls().makeCall(call({ script: { kind: 'converse', conversation: badAction } })), 'INVALID_INPUT', harness.secrets);
          expect(await far().placedCalls()).toEqual([]);
        });
      });
    });
  });
}
