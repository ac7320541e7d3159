import { Resend } from 'resend';
import type {
  EmailCapabilities, EmailEvent, EmailPort, InboundEmail, SendEmailRequest, SendEmailResult,
} from '../../ports/email.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { DomainProvisioning } from '../../ports/provisioning.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { ResendDomains } from './resend-domains.js';
import { resendErrorMapper, type ResendFailure } from './resend-error-mapping.js';
import { resolveResendOptions, type ResendOptions, type ResolvedResendOptions } from './resend-options.js';
import { toInboundEmail } from './resend-received-email.js';
import { toResendPayload } from './resend-send-payload.js';
import { readResendWebhook, statusEventOf } from './resend-webhook-events.js';
import { RESEND_WEBHOOK_KINDS, SvixSignatureVerifier } from './resend-webhook-signature.js';

/** The email port over Resend's API, through the official `resend` SDK only. */
export class ResendEmail implements EmailPort, CredentialCheck {
  readonly webhookKinds = RESEND_WEBHOOK_KINDS;
  readonly capabilities: EmailCapabilities = { inboundWebhook: true, attachments: true, idempotencyKeys: true };
  readonly domains: DomainProvisioning;
  private readonly options: ResolvedResendOptions;
  private readonly client: Resend;
  private readonly verifier: SvixSignatureVerifier | null;
  private readonly agentVerifiers: ReadonlyMap<string, SvixSignatureVerifier>;
  private readonly logger: Logger;
  private readonly toDomainError: (failure: ResendFailure) => DomainError;
  private warnedNoSecret = false;

  constructor(options: ResendOptions, ctx: PluginContext) {
    this.options = resolveResendOptions(options);
    this.logger = ctx.logger.child({ adapter: 'resend' });
    // baseUrl is always passed, so a RESEND_BASE_URL in the environment cannot redirect mail behind the config's back.
    this.client = new Resend(this.options.apiKey, { baseUrl: this.options.baseUrl });
    this.verifier = this.options.webhookSecret ? new SvixSignatureVerifier(this.options.webhookSecret, () => ctx.clock.now()) : null;
    this.agentVerifiers = new Map(Object.entries(this.options.agentWebhookSecrets)
      .map(([agentId, secret]) => [agentId, new SvixSignatureVerifier(secret, () => ctx.clock.now())]));
    this.toDomainError = resendErrorMapper(this.options.apiKey, this.options.timeoutMs, () => ctx.clock.now());
    this.domains = new ResendDomains(this.client, this.options.timeoutMs, this.logger, this.toDomainError);
  }

  async send(request: SendEmailRequest): Promise<SendEmailResult> {
    const payload = toResendPayload(request);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const idempotencyKey = request.idempotencyKey;
    const answer = await this.client.emails.send(payload, { signal, ...(idempotencyKey ? { idempotencyKey } : {}) });
    if (answer.error) {
      const failure = this.toDomainError({ error: answer.error, headers: answer.headers, timedOut: signal.aborted, idempotencyKey });
      // No addresses or bodies in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'resend send failed');
      throw failure;
    }
    // Resend has queued it; email.sent / email.delivered webhooks tell the rest.
    return { providerMessageId: answer.data.id, status: 'queued' };
  }

  /**
   * Lists the team's domains: free, and refused when the key is wrong. A sending-only key is a valid key that
   * Resend refuses for anything but sending (restricted_api_key): accepted, with a word that it cannot read received mail.
   */
  async checkCredentials(): Promise<string> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const answer = await this.client.domains.list({}, { signal });
    if (answer.error?.name === 'restricted_api_key') return 'sending-only API key (it cannot read received mail)';
    if (answer.error) throw this.toDomainError({ error: answer.error, headers: answer.headers, timedOut: signal.aborted });
    return `full-access API key, ${answer.data.data.length} domain(s)`;
  }

  /** A per-agent URL of an agent with its own endpoint secret verifies with that secret only; others with the shared one. */
  verifyWebhook(request: WebhookRequest): boolean {
    const ownVerifier = request.agentId ? this.agentVerifiers.get(request.agentId) : undefined;
    if (ownVerifier) return ownVerifier.isValid(request);
    if (!this.verifier) {
      if (!this.warnedNoSecret) {
        this.warnedNoSecret = true;
        this.logger.warn({ requestId: request.requestId }, 'resend webhook refused: set webhookSecret (whsec_…) in the email options to receive mail and delivery events');
      }
      return false;
    }
    return this.verifier.isValid(request);
  }

  async parseWebhook(request: WebhookRequest): Promise<EmailEvent[]> {
    const body = readResendWebhook(request.rawBody);
    if (body.type === 'email.received') {
      // The id becomes a URL path segment of an authenticated call: nothing but an id may get there.
      if (!body.emailId || !/^[A-Za-z0-9_-]{1,100}$/.test(body.emailId)) {
        throw new DomainError('INVALID_INPUT', 'The Resend email.received webhook has no usable data.email_id.', 'Only Resend should call this URL.', { provider: 'resend' });
      }
      return [{ kind: 'received', email: await this.fetchReceived(body.emailId) }];
    }
    const status = statusEventOf(body);
    return status ? [status] : [];
  }

  webhookReply(): WebhookReply {
    return { contentType: 'application/json', body: '{"received":true}' };
  }

  async close(): Promise<void> {
    // The SDK uses the global fetch: no pool of our own to drain.
  }

  /** The webhook carries metadata only; the body comes from `GET /emails/receiving/{id}`. */
  private async fetchReceived(emailId: string): Promise<InboundEmail> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const answer = await this.client.emails.receiving.get(emailId, {}, { signal });
      if (answer.error?.statusCode === 404) throw unknownReceivedEmail();
      if (answer.error) throw this.toDomainError({ error: answer.error, headers: answer.headers, timedOut: signal.aborted });
      return toInboundEmail(answer.data);
    } catch (err) {
      const failure = isDomainError(err)
        ? err
        : new DomainError('INTERNAL', 'Unexpected failure while reading a received email from Resend.', 'Report this to the server operator with the request id.', { provider: 'resend' });
      this.logger.warn({ code: failure.code, details: failure.details }, 'resend received-email fetch failed');
      throw failure;
    }
  }
}

/** A signed `email.received` whose email the receiving API does not know: asking again would never find it. */
function unknownReceivedEmail(): DomainError {
  return new DomainError('NOT_FOUND', 'Resend\'s receiving API does not know the email the webhook names.', 'Nothing to do: the webhook is acknowledged so that Resend stops retrying it.', { provider: 'resend' });
}
