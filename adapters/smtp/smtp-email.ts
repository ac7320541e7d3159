import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type {
  EmailCapabilities, EmailEvent, EmailPort, SendEmailRequest, SendEmailResult,
} from '../../ports/email.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { smtpErrorMapper } from './smtp-error-mapping.js';
import { SmtpInboundListener } from './smtp-inbound-listener.js';
import { resolveSmtpOptions, type ResolvedSmtpOptions, type SmtpOptions } from './smtp-options.js';

/** `local@domain.tld`, optionally as `Name <local@domain.tld>`. */
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:.]{2,}$/;

function bare(value: string): string {
  return (/^[^<>]*<([^<>]+)>$/.exec(value.trim())?.[1] ?? value).trim();
}

/**
 * The email port over plain SMTP: sends through a relay with nodemailer and, when `inbound` is configured,
 * receives with its own SMTP listener, pushing each mail to `ctx.events.emailReceived` (SMTP has no webhooks).
 */
export class SmtpEmail implements EmailPort, CredentialCheck {
  /** Mail arrives over SMTP, never by webhook: every webhook is refused unread. */
  readonly webhookKinds = [];
  readonly capabilities: EmailCapabilities = { inboundWebhook: false, attachments: true, idempotencyKeys: false };
  private readonly options: ResolvedSmtpOptions;
  private readonly transport: Transporter;
  private readonly listener: SmtpInboundListener | null;
  private readonly logger: Logger;
  private readonly toDomainError: (err: unknown) => DomainError;

  constructor(options: SmtpOptions, ctx: PluginContext) {
    this.options = resolveSmtpOptions(options, ctx.configDir);
    this.logger = ctx.logger.child({ adapter: 'smtp' });
    const { host, port, secure, requireTLS, auth, tls, timeoutMs } = this.options;
    this.transport = nodemailer.createTransport({
      host, port, secure, requireTLS, tls,
      ...(auth ? { auth } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      logger: false,
      // Attachments are bytes we were given: never let a path or URL in a request read files or fetch the web.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.toDomainError = smtpErrorMapper(`${host}:${port}`, auth?.pass ?? null, timeoutMs);
    this.listener = this.options.inbound
      ? new SmtpInboundListener(this.options.inbound, { logger: this.logger, ids: ctx.ids, onEmail: (email) => ctx.events.emailReceived(email) })
      : null;
  }

  /** Starts the inbound listener, if configured; a port that cannot be bound fails startup with one clear line. */
  async start(): Promise<void> {
    if (!this.listener || !this.options.inbound) return;
    try {
      await this.listener.start();
    } catch (err) {
      const { host, port } = this.options.inbound;
      const code = (err as { code?: unknown }).code;
      throw new DomainError(
        'CONFIG_INVALID',
        `email: cannot listen for inbound mail on ${host}:${port} (${typeof code === 'string' ? code : 'error'}).`,
        'Choose a free inbound.port (ports below 1024 need privileges), or remove inbound from the email options.',
        { port: 'email', plugin: 'smtp' },
      );
    }
  }

  /** Ready while the inbound listener, when configured, accepts connections (sending needs no probe: it would dial the relay). */
  async readiness(): Promise<void> {
    if (this.listener && !this.listener.listening()) throw new Error('the inbound SMTP listener is not listening');
  }

  /**
   * Connects, greets, starts TLS and logs in as a send would, then quits before MAIL FROM: nothing is sent. A
   * refused login fails PROVIDER_AUTH_FAILED; an unreachable relay PROVIDER_UNAVAILABLE.
   */
  async checkCredentials(): Promise<string> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw this.toDomainError(err);
    }
    const { host, port, auth } = this.options;
    return auth ? `${host}:${port} accepts the login` : `${host}:${port} answers (no login configured)`;
  }

  /** Where the inbound listener accepts mail; null without `inbound`. */
  inboundAddress(): { host: string; port: number } | null {
    return this.listener?.address() ?? null;
  }

  async send(request: SendEmailRequest): Promise<SendEmailResult> {
    this.check(request);
    try {
      const info = await this.transport.sendMail({
        from: request.from,
        to: request.to,
        ...(request.cc?.length ? { cc: request.cc } : {}),
        ...(request.bcc?.length ? { bcc: request.bcc } : {}),
        ...(request.replyTo?.length ? { replyTo: request.replyTo } : {}),
        subject: request.subject,
        ...(request.text !== undefined ? { text: request.text } : {}),
        ...(request.html !== undefined ? { html: request.html } : {}),
        ...(request.headers ? { headers: withoutMessageId(request.headers) } : {}),
        attachments: (request.attachments ?? []).map((a) => ({
          filename: a.filename,
          content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
          ...(a.contentType ? { contentType: a.contentType } : {}),
        })),
        messageId: this.messageIdFor(request),
      }) as { messageId: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) {
        // Some recipients got it: failing now would invite a retry that sends the others a second copy.
        this.logger.warn({ requestId: request.requestId, rejectedRecipients: info.rejected.length }, 'smtp server refused some recipients');
      }
      return { providerMessageId: info.messageId, status: 'sent' };
    } catch (err) {
      const failure = this.toDomainError(err);
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'smtp send failed');
      throw failure;
    }
  }

  verifyWebhook(_request: WebhookRequest): boolean {
    return false;
  }

  async parseWebhook(_request: WebhookRequest): Promise<EmailEvent[]> {
    return [];
  }

  webhookReply(): WebhookReply {
    return { contentType: 'application/json', body: '{}' };
  }

  async close(): Promise<void> {
    this.transport.close();
    await this.listener?.stop();
  }

  private check(request: SendEmailRequest): void {
    const fields = { from: [request.from], to: request.to, cc: request.cc ?? [], bcc: request.bcc ?? [], replyTo: request.replyTo ?? [] };
    for (const [field, addresses] of Object.entries(fields)) {
      if (addresses.some((address) => !ADDRESS.test(bare(address)))) {
        throw new DomainError(
          'INVALID_EMAIL_ADDRESS',
          `An address in ${field} is not a valid email address.`,
          'Use addresses like email@example.com or Name <email@example.com>; do not retry unchanged.',
          { provider: 'smtp', field },
        );
      }
    }
    if (request.to.length === 0) {
      throw new DomainError('INVALID_EMAIL_ADDRESS', 'The email has no recipient.', 'Give at least one address in to.', { provider: 'smtp', field: 'to' });
    }
    if (request.text === undefined && request.html === undefined) {
      throw new DomainError('INVALID_INPUT', 'An email needs a text or an html body.', 'Give the email a text body, an html body, or both.', { provider: 'smtp' });
    }
  }

  /**
   * The same message (same reference) keeps the same Message-ID across retries, so receiving mailboxes can show
   * a duplicate once: SMTP has no idempotency key of its own.
   */
  /** Core's own Message-ID when it gives one (threading), else one made from our reference. */
  private messageIdFor(request: SendEmailRequest): string {
    const given = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'message-id')?.[1];
    if (given) return given;
    const domain = bare(request.from).split('@')[1] ?? 'localhost';
    const local = request.reference.replace(/[^A-Za-z0-9._-]/g, '') || randomBytes(12).toString('hex');
    return `<${local}@${domain}>`;
  }
}

/** nodemailer sets Message-ID from its `messageId` option; the header given twice would be sent twice. */
function withoutMessageId(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'message-id'));
}
