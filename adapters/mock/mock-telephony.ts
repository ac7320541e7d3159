import { MockNumbers } from './mock-numbers.js';
import type { TelephonyCalls } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Clock, IdGenerator } from '../../ports/runtime.js';
import type {
  InboundSms, SendSmsRequest, SendSmsResult, SmsStatusUpdate, TelephonyCapabilities, TelephonyPort,
} from '../../ports/telephony.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { MockCalls, type MockPlacedCall } from './mock-calls.js';
import { mockFaultError, type MockTelephonyFault } from './mock-faults.js';
import { parseMockInboundSms, parseMockSmsStatus } from './mock-sms-forms.js';
import { isValidMockSignature, mockWebhookKinds } from './mock-webhook-signature.js';
import { PendingReports } from './pending-reports.js';
import { keepRecent } from './recent-history.js';

export interface MockTelephonyOptions {
  /** Key of the demo webhook signature (`x-mock-signature`). Default "demo-secret". */
  webhookSecret?: string;
  /**
   * Pause between the simulated status changes (ms). Default 0: the next event-loop turns. An answered demo
   * call also stays on the line this long for each audio file it plays.
   */
  statusDelayMs?: number;
}

export { MOCK_HISTORY_LIMIT } from './recent-history.js';

export const DEFAULT_MOCK_WEBHOOK_SECRET = 'demo-secret';

/** Twilio's test-credential number for "invalid destination": refused here too, so demos can show the error. */
export const MOCK_REFUSED_NUMBER = '+15005550001';

/** What demo mode "sent". */
export interface MockSentSms {
  providerMessageId: string;
  /** Our message id, echoed back in the pushed status events. */
  reference: string;
  from: string;
  to: string;
  body: string;
  statusCallbackUrl: string | null;
  sentAt: Date;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Demo-mode telephony: nothing leaves the process. Sends are recorded and then reported `sent` and
 * `delivered` through the provider event sink, as a real provider's status callbacks would; calls likewise
 * report initiated, ringing, in-progress and completed.
 */
export class MockTelephony implements TelephonyPort {
  readonly webhookKinds = mockWebhookKinds(64 * 1024);
  readonly numbers = new MockNumbers();
  readonly capabilities: TelephonyCapabilities = { sms: true, mms: true, voice: true };
  readonly calls: TelephonyCalls;
  /** The most recent messages accepted (up to `MOCK_HISTORY_LIMIT`), oldest first. */
  readonly sent: MockSentSms[] = [];
  /** The most recent calls placed (up to `MOCK_HISTORY_LIMIT`), oldest first. */
  readonly placed: MockPlacedCall[] = [];
  private readonly mockCalls: MockCalls;
  private readonly secret: string;
  private readonly statusDelayMs: number;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly events: ProviderEventSink;
  private readonly pending = new PendingReports();
  private fault: MockTelephonyFault | null = null;

  constructor(options: MockTelephonyOptions, ctx: PluginContext) {
    this.secret = options.webhookSecret ?? DEFAULT_MOCK_WEBHOOK_SECRET;
    this.statusDelayMs = options.statusDelayMs ?? 0;
    this.clock = ctx.clock;
    this.ids = ctx.ids;
    this.events = ctx.events;
    this.mockCalls = new MockCalls({
      clock: this.clock,
      ids: this.ids,
      events: this.events,
      statusDelayMs: this.statusDelayMs,
      fault: () => this.fault,
      record: (call) => keepRecent(this.placed, call),
      wasPlaced: (providerCallId) => this.placed.some((call) => call.providerCallId === providerCallId),
      refusedNumber: MOCK_REFUSED_NUMBER,
    });
    this.calls = this.mockCalls;
  }

  /** Until cleared with `null`, every send and call fails the way a provider would. */
  injectFault(fault: MockTelephonyFault | null): void {
    this.fault = fault;
  }

  async sendSms(request: SendSmsRequest): Promise<SendSmsResult> {
    if (this.fault) throw mockFaultError(this.fault);
    if (request.to === MOCK_REFUSED_NUMBER) {
      throw new DomainError(
        'INVALID_PHONE_NUMBER',
        `The demo provider refused ${MOCK_REFUSED_NUMBER} (it plays Twilio's invalid test number).`,
        'Use another destination number; do not retry this one.',
        { provider: 'mock', providerCode: 21211 },
      );
    }
    const providerMessageId = this.ids.next('MOCK');
    const { reference } = request;
    keepRecent(this.sent, {
      providerMessageId,
      reference,
      from: request.from,
      to: request.to,
      body: request.body,
      statusCallbackUrl: request.statusCallbackUrl ?? null,
      sentAt: this.clock.now(),
    });
    this.pending.later(this.statusDelayMs, () => this.events.messageStatus({ reference, providerMessageId, status: 'sent', errorCode: null }));
    this.pending.later(this.statusDelayMs * 2, () => this.events.messageStatus({ reference, providerMessageId, status: 'delivered', errorCode: null }));
    return { providerMessageId, status: 'queued' };
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return isValidMockSignature(this.secret, request);
  }

  parseInboundSms(request: WebhookRequest): InboundSms {
    return parseMockInboundSms(request);
  }

  parseSmsStatus(request: WebhookRequest): SmsStatusUpdate {
    return parseMockSmsStatus(request);
  }

  webhookReply(): WebhookReply {
    return { contentType: 'text/xml', body: EMPTY_TWIML };
  }

  async close(): Promise<void> {
    this.pending.cancelAll();
    this.mockCalls.close();
  }
}
