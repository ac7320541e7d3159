import { DomainError } from '../../ports/errors.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../../ports/records.js';
import type { Clock, IdGenerator } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import type { SendWhatsAppRequest, SendWhatsAppResult, WhatsAppEvent, WhatsAppPort } from '../../ports/whatsapp.js';
import { mockFaultError, type MockTelephonyFault } from './mock-faults.js';
import { isValidMockSignature, mockWebhookKinds } from './mock-webhook-signature.js';
import { keepRecent, rememberRecent } from './recent-history.js';
import { PendingReports } from './pending-reports.js';

export interface MockWhatsAppOptions {
  /** Key of the demo webhook signature (`x-mock-signature`). Default "demo-secret". */
  webhookSecret?: string;
  /**
   * Refuse free-form messages to contacts who have not written in the last 24 hours, as WhatsApp does. The mock
   * learns who wrote from the inbound webhooks it parses (no state from core). Default false: demos just work.
   */
  enforceCustomerWindow?: boolean;
  /** Destinations refused as invalid numbers, to demo that error. Default none. */
  refusedNumbers?: string[];
}

export const DEFAULT_MOCK_WHATSAPP_SECRET = 'demo-secret';
const CUSTOMER_WINDOW_MS = 24 * 60 * 60 * 1000;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Provider failures the demo adapter can play (the same set as demo telephony). */
export type MockWhatsAppFault = MockTelephonyFault;

/** What demo mode "sent". */
export interface MockSentWhatsApp {
  providerMessageId: string;
  reference: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  template: { id: string; variables: Record<string, string> } | null;
  statusCallbackUrl: string | null;
  sentAt: Date;
}

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function required(params: Params, name: string): string {
  const value = field(params, name);
  if (value === undefined) {
    throw new DomainError(
      'INVALID_INPUT',
      `The demo WhatsApp webhook has no ${name}.`,
      'Post a form with the fields Twilio sends for WhatsApp: MessageSid, From, To, Body (inbound) or MessageSid, MessageStatus (status).',
      { missingField: name },
    );
  }
  return value;
}

/** Twilio-style WhatsApp addresses (`whatsapp:+1555…`) are accepted as well as bare E.164. */
function address(params: Params, name: string): string {
  return required(params, name).replace(/^whatsapp:/, '');
}

function isMessageStatus(value: string): value is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(value);
}

/**
 * Demo-mode WhatsApp: nothing leaves the process, every send is recorded and answered `queued`. Webhooks are
 * Twilio-shaped forms signed with `x-mock-signature`: a form with `MessageStatus` (other than "received") is a
 * status update, any other form an inbound message (`MessageSid`, `From`, `To`, `Body`, `ProfileName`,
 * `MediaUrl0…`). Delivery progress is not pushed: the provider event sink has no WhatsApp events.
 */
export class MockWhatsApp implements WhatsAppPort {
  readonly webhookKinds = mockWebhookKinds(64 * 1024);
  /** Every message accepted, oldest first. */
  readonly sent: MockSentWhatsApp[] = [];
  private readonly secret: string;
  private readonly enforceCustomerWindow: boolean;
  private readonly refusedNumbers: ReadonlySet<string>;
  private readonly clock: Clock;
  private readonly events: ProviderEventSink;
  private readonly pending = new PendingReports();
  private readonly ids: IdGenerator;
  /** When each contact last wrote to each of our numbers ("contact>business" → ms). */
  private readonly lastInbound = new Map<string, number>();
  private fault: MockWhatsAppFault | null = null;

  constructor(options: MockWhatsAppOptions, ctx: PluginContext) {
    this.secret = options.webhookSecret ?? DEFAULT_MOCK_WHATSAPP_SECRET;
    this.enforceCustomerWindow = options.enforceCustomerWindow ?? false;
    this.refusedNumbers = new Set(options.refusedNumbers ?? []);
    this.clock = ctx.clock;
    this.events = ctx.events;
    this.ids = ctx.ids;
  }

  /** Until cleared with `null`, every send fails the way a provider would. */
  injectFault(fault: MockWhatsAppFault | null): void {
    this.fault = fault;
  }

  /** Records that `contact` wrote to `business` now (what parsing their inbound message does). */
  contactWrote(contact: string, business: string): void {
    rememberRecent(this.lastInbound, `${contact}>${business}`, this.clock.now().getTime());
  }

  async send(request: SendWhatsAppRequest): Promise<SendWhatsAppResult> {
    if (this.fault) throw mockFaultError(this.fault);
    const body = request.body ?? '';
    const mediaUrls = request.mediaUrls ?? [];
    if (!request.template && body === '' && mediaUrls.length === 0) {
      throw new DomainError(
        'INVALID_INPUT',
        'The WhatsApp message has no body, media or template.',
        'Give a body (inside the 24-hour window), a media URL, or an approved template with its variables.',
        { provider: 'mock' },
      );
    }
    if (this.refusedNumbers.has(request.to)) {
      throw new DomainError(
        'INVALID_PHONE_NUMBER',
        `The demo provider refused ${request.to} (configured in refusedNumbers).`,
        'Use another destination number; do not retry this one.',
        { provider: 'mock' },
      );
    }
    if (!request.template && this.enforceCustomerWindow && !this.windowOpen(request.to, request.from)) {
      throw new DomainError(
        'TEMPLATE_REQUIRED',
        'WhatsApp refuses free-form text: the contact has not written in the last 24 hours (demo rule).',
        'Send an approved WhatsApp template instead (templateId and templateVars), or wait until the contact writes; free-form messages are allowed for 24 hours after their last message.',
        { provider: 'mock' },
      );
    }
    const providerMessageId = this.ids.next('MOCKWA');
    keepRecent(this.sent, {
      providerMessageId,
      reference: request.reference,
      from: request.from,
      to: request.to,
      body,
      mediaUrls: [...mediaUrls],
      template: request.template ? { id: request.template.id, variables: { ...request.template.variables } } : null,
      statusCallbackUrl: request.statusCallbackUrl ?? null,
      sentAt: this.clock.now(),
    });
    // Demo delivery reports, as a provider's status webhooks would bring them.
    for (const [step, status] of (['sent', 'delivered', 'read'] as const).entries()) {
      this.pending.later(step, () => this.events.messageStatus({ reference: request.reference, providerMessageId, status, errorCode: null }));
    }
    return { providerMessageId, status: 'queued' };
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return isValidMockSignature(this.secret, request);
  }

  /** Parsing an inbound message also opens the sender's 24-hour window (the mock's only source of who wrote). */
  parseWebhook(request: WebhookRequest): WhatsAppEvent[] {
    const { params } = request;
    const providerMessageId = required(params, 'MessageSid');
    const status = field(params, 'MessageStatus');
    if (status !== undefined && status !== 'received') {
      if (!isMessageStatus(status)) {
        throw new DomainError(
          'INVALID_INPUT',
          `The demo WhatsApp status webhook reports an unknown status "${status.slice(0, 40)}".`,
          `Use one of: ${MESSAGE_STATUSES.join(', ')}.`,
          { providerStatus: status.slice(0, 40) },
        );
      }
      return [{ kind: 'status', providerMessageId, status, errorCode: field(params, 'ErrorCode') ?? null }];
    }
    const from = address(params, 'From');
    const to = address(params, 'To');
    this.contactWrote(from, to);
    const mediaUrls: string[] = [];
    for (let index = 0; field(params, `MediaUrl${index}`) !== undefined; index += 1) mediaUrls.push(field(params, `MediaUrl${index}`) ?? '');
    return [{
      kind: 'received',
      message: { providerMessageId, from, to, body: field(params, 'Body') ?? '', mediaUrls, profileName: field(params, 'ProfileName') ?? null },
    }];
  }

  webhookReply(): WebhookReply {
    return { contentType: 'text/xml', body: EMPTY_TWIML };
  }

  async close(): Promise<void> {
    this.pending.cancelAll();
    this.lastInbound.clear();
  }

  private windowOpen(contact: string, business: string): boolean {
    const last = this.lastInbound.get(`${contact}>${business}`);
    return last !== undefined && this.clock.now().getTime() - last < CUSTOMER_WINDOW_MS;
  }
}
