import { MockDomains } from './mock-domains.js';
import { createHash } from 'node:crypto';
import type {
  EmailCapabilities, EmailEvent, EmailPort, InboundEmail, SendEmailRequest, SendEmailResult,
} from '../../ports/email.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Clock, IdGenerator, Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { mockFaultError, type MockTelephonyFault } from './mock-faults.js';
import { isValidMockSignature, mockWebhookKinds } from './mock-webhook-signature.js';
import { keepRecent, rememberRecent } from './recent-history.js';
import { PendingReports } from './pending-reports.js';


export interface MockEmailOptions {
  /** Key of the demo webhook signature (`x-mock-signature`). Default "demo-secret". */
  webhookSecret?: string;
}

export const DEFAULT_MOCK_EMAIL_WEBHOOK_SECRET = 'demo-secret';

/** Provider failures demo mode can play (the same set as mock telephony). */
export type MockEmailFault = MockTelephonyFault;

/** What demo mode "sent". */
export interface MockSentEmail extends SendEmailRequest {
  providerMessageId: string;
  sentAt: Date;
}

/** `local@domain.tld`, optionally as `Name <local@domain.tld>`: what a real provider would accept. */
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]{2,}$/;

function isAddress(value: string): boolean {
  const named = /^[^<>]*<([^<>]+)>$/.exec(value.trim());
  return ADDRESS.test((named?.[1] ?? value).trim());
}

/** Delivery reports demo webhooks may carry, worded as our statuses. */
const STATUS_BY_TYPE: Readonly<Record<string, Omit<Extract<EmailEvent, { kind: 'status' }>, 'kind' | 'providerMessageId'>>> = {
  'email.delivered': { status: 'delivered', errorCode: null },
  'email.bounced': { status: 'undelivered', errorCode: 'bounced' },
  'email.complained': { status: 'failed', errorCode: 'complained' },
};

function invalidWebhook(what: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    `The demo email webhook ${what}.`,
    'Post {"type":"email.received","data":{from,to,subject,text,…}} signed with x-mock-signature.',
    { provider: 'mock' },
  );
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string')) throw invalidWebhook(`field data.${field} is not a list of addresses`);
  return list;
}

function requiredString(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value !== 'string') throw invalidWebhook(`has no data.${field}`);
  return value;
}

/**
 * Demo-mode email: nothing leaves the process. Sends are recorded and answered `sent` (the event sink has no
 * email status event to report delivery later). Inbound mail arrives as a simple signed JSON webhook.
 */
export class MockEmail implements EmailPort {
  /** Demo mail may carry attachments (base64 in JSON). */
  readonly webhookKinds = mockWebhookKinds(16 * 1024 * 1024);
  readonly domains = new MockDomains();
  readonly capabilities: EmailCapabilities = { inboundWebhook: true, attachments: true, idempotencyKeys: true };
  /** Every email accepted, oldest first. */
  readonly sent: MockSentEmail[] = [];
  private readonly secret: string;
  private readonly clock: Clock;
  private readonly events: ProviderEventSink;
  private readonly pending = new PendingReports();
  private readonly ids: IdGenerator;
  private readonly logger: Logger;
  private readonly byIdempotencyKey = new Map<string, { fingerprint: string; result: SendEmailResult }>();
  private fault: MockEmailFault | null = null;

  constructor(options: MockEmailOptions, ctx: PluginContext) {
    this.secret = options.webhookSecret ?? DEFAULT_MOCK_EMAIL_WEBHOOK_SECRET;
    this.clock = ctx.clock;
    this.events = ctx.events;
    this.ids = ctx.ids;
    this.logger = ctx.logger.child({ adapter: 'mock-email' });
  }

  /** Until cleared with `null`, every send fails the way a provider would. */
  injectFault(fault: MockEmailFault | null): void {
    this.fault = fault;
  }

  async send(request: SendEmailRequest): Promise<SendEmailResult> {
    if (this.fault) throw mockFaultError(this.fault);
    this.check(request);
    const key = request.idempotencyKey;
    const fingerprint = key ? this.fingerprint(request) : '';
    if (key) {
      const earlier = this.byIdempotencyKey.get(key);
      if (earlier && earlier.fingerprint === fingerprint) return { ...earlier.result };
      if (earlier) {
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'The demo provider already used this idempotency key for a different email.',
          'Use a new idempotency key for a new email; reuse a key only to retry exactly the same email.',
          { provider: 'mock' },
        );
      }
    }
    const result: SendEmailResult = { providerMessageId: this.ids.next('MOCKEMAIL'), status: 'sent' };
    keepRecent(this.sent, { ...request, providerMessageId: result.providerMessageId, sentAt: this.clock.now() });
    if (key) rememberRecent(this.byIdempotencyKey, key, { fingerprint, result });
    // A demo delivery report, as a provider's webhook would bring it.
    this.pending.later(0, () => this.events.messageStatus({ reference: request.reference, providerMessageId: result.providerMessageId, status: 'delivered', errorCode: null }));
    // Counts only: demo logs carry no addresses or bodies either.
    this.logger.info({ requestId: request.requestId, providerMessageId: result.providerMessageId, recipients: request.to.length + (request.cc?.length ?? 0) + (request.bcc?.length ?? 0) }, 'demo email sent');
    return { ...result };
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return isValidMockSignature(this.secret, request);
  }

  async parseWebhook(request: WebhookRequest): Promise<EmailEvent[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody) as unknown;
    } catch {
      throw invalidWebhook('body is not JSON');
    }
    const { type, data } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { type?: unknown; data?: unknown };
    if (typeof type !== 'string') throw invalidWebhook('has no type');
    if (typeof data !== 'object' || data === null) throw invalidWebhook('has no data object');
    const fields = data as Record<string, unknown>;
    if (type === 'email.received') return [{ kind: 'received', email: this.inboundEmail(fields) }];
    const status = STATUS_BY_TYPE[type];
    if (!status) return [];
    return [{ kind: 'status', providerMessageId: requiredString(fields, 'providerMessageId'), ...status }];
  }

  webhookReply(): WebhookReply {
    return { contentType: 'application/json', body: '{"ok":true}' };
  }

  async close(): Promise<void> {
    this.pending.cancelAll();
  }

  private check(request: SendEmailRequest): void {
    const fields = { from: [request.from], to: request.to, cc: request.cc ?? [], bcc: request.bcc ?? [], replyTo: request.replyTo ?? [] };
    for (const [field, addresses] of Object.entries(fields)) {
      if (addresses.some((address) => !isAddress(address))) {
        throw new DomainError(
          'INVALID_EMAIL_ADDRESS',
          `The demo provider refused an address in ${field}.`,
          'Use addresses like email@example.com or Name <email@example.com>; do not retry unchanged.',
          { provider: 'mock', field },
        );
      }
    }
    if (request.to.length === 0) {
      throw new DomainError('INVALID_EMAIL_ADDRESS', 'The email has no recipient.', 'Give at least one address in to.', { provider: 'mock', field: 'to' });
    }
    if (request.text === undefined && request.html === undefined) {
      throw new DomainError('INVALID_INPUT', 'An email needs a text or an html body.', 'Give the email a text body, an html body, or both.', { provider: 'mock' });
    }
  }

  /** What a retry must repeat exactly: the email itself, not our reference or the key. */
  private fingerprint(request: SendEmailRequest): string {
    const { reference: _reference, idempotencyKey: _key, attachments, ...rest } = request;
    const files = (attachments ?? []).map((a) => ({ ...a, content: Buffer.from(a.content).toString('base64') }));
    return createHash('sha256').update(JSON.stringify({ ...rest, attachments: files })).digest('hex');
  }

  private inboundEmail(data: Record<string, unknown>): InboundEmail {
    const attachments = Array.isArray(data.attachments) ? data.attachments : [];
    return {
      providerMessageId: typeof data.providerMessageId === 'string' && data.providerMessageId !== '' ? data.providerMessageId : this.ids.next('MOCKIN'),
      from: requiredString(data, 'from'),
      to: stringList(data.to, 'to'),
      cc: stringList(data.cc, 'cc'),
      subject: typeof data.subject === 'string' ? data.subject : '',
      text: typeof data.text === 'string' ? data.text : '',
      html: typeof data.html === 'string' ? data.html : null,
      messageIdHeader: typeof data.messageIdHeader === 'string' ? data.messageIdHeader : null,
      inReplyTo: typeof data.inReplyTo === 'string' ? data.inReplyTo : null,
      references: Array.isArray(data.references) ? data.references.filter((r): r is string => typeof r === 'string') : [],
      attachments: attachments.map((item: unknown) => {
        const a = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
        return {
          filename: typeof a.filename === 'string' ? a.filename : 'attachment',
          contentType: typeof a.contentType === 'string' ? a.contentType : 'application/octet-stream',
          size: typeof a.size === 'number' ? a.size : 0,
        };
      }),
    };
  }
}
