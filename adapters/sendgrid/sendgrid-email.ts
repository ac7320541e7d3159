import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { EmailCapabilities, EmailEvent, EmailPort, SendEmailRequest, SendEmailResult } from '../../ports/email.js';
import { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { sendGridErrorMapper } from './sendgrid-error-mapping.js';
import { EventWebhookVerifier, SIGNATURE, isEventWebhook, parseEventWebhook } from './sendgrid-event-webhook.js';
import { isAuthenticatedInboundParse, isInboundParse, parseInboundParse } from './sendgrid-inbound-parse.js';
import { resolveSendGridOptions, type ResolvedSendGridOptions, type SendGridOptions } from './sendgrid-options.js';
import { toSendGridMail } from './sendgrid-payload.js';

/**
 * The email port over SendGrid, through its official packages only: Mail Send through `@sendgrid/mail` (on a
 * `@sendgrid/client` pointed at the configured base URL), the signed Event Webhook verified with
 * `@sendgrid/eventwebhook`, and Inbound Parse posts authenticated by the parse URL's credentials.
 */
export class SendGridEmail implements EmailPort, CredentialCheck {
  /**
   * Event Webhook: signed JSON batches of events (a few hundred bytes each; 5 MB is thousands of them). Inbound Parse:
   * multipart posts of the whole mail, at most 30 MB by SendGrid's limit (40 MB with encoding margin), authenticated by
   * the URL's token or Basic credentials, so no signature header can be required.
   */
  readonly webhookKinds = [
    { contentType: 'application/json', signatureHeaders: [SIGNATURE], maxBodyBytes: 5 * 1024 * 1024 },
    { contentType: 'multipart/form-data', signatureHeaders: [], maxBodyBytes: 40 * 1024 * 1024 },
  ];
  readonly capabilities: EmailCapabilities = { inboundWebhook: true, attachments: true, idempotencyKeys: false };
  private readonly options: ResolvedSendGridOptions;
  private readonly mail = new MailService();
  private readonly client = new Client();
  private readonly events: EventWebhookVerifier | null;
  private readonly logger: Logger;
  private readonly toDomainError: ReturnType<typeof sendGridErrorMapper>;
  private readonly warned = new Set<string>();

  constructor(options: SendGridOptions, ctx: PluginContext) {
    this.options = resolveSendGridOptions(options);
    this.logger = ctx.logger.child({ adapter: 'sendgrid' });
    this.client.setApiKey(this.options.apiKey);
    // After the key: setting it resets the base URL to SendGrid's global region.
    this.client.setDefaultRequest('baseUrl', `${this.options.baseUrl}/`);
    this.mail.setClient(this.client);
    // Sets the timeout on the shared client: the credential check's request has it too.
    this.mail.setTimeout(this.options.timeoutMs);
    this.events = this.options.eventWebhookPublicKey ? eventVerifier(this.options.eventWebhookPublicKey, () => ctx.clock.now()) : null;
    this.toDomainError = sendGridErrorMapper({ secrets: this.options.secrets, timeoutMs: this.options.timeoutMs, now: () => ctx.clock.now() });
  }

  async send(request: SendEmailRequest): Promise<SendEmailResult> {
    // Refusals of the request itself (INVALID_INPUT) are thrown before anything is sent.
    const mail = toSendGridMail(request, this.options.categories);
    try {
      const [response] = await this.mail.send(mail);
      const id = response.headers['x-message-id'];
      if (typeof id !== 'string' || id === '') throw new Error('SendGrid accepted the mail without an X-Message-Id');
      return { providerMessageId: id, status: 'accepted' };
    } catch (err) {
      const failure = this.toDomainError(err);
      // No addresses or bodies in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'sendgrid send failed');
      throw failure;
    }
  }

  /**
   * Reads the key's own scopes (free, allowed to any key): a wrong key is refused with 401, and a key without Mail
   * Send access is a key that cannot do this adapter's work.
   */
  async checkCredentials(): Promise<string> {
    let scopes: unknown;
    try {
      const [, body] = await this.client.request({ method: 'GET', url: '/v3/scopes' });
      scopes = (body as { scopes?: unknown } | null)?.scopes;
    } catch (err) {
      throw this.toDomainError(err);
    }
    if (!Array.isArray(scopes) || !scopes.includes('mail.send')) {
      throw new DomainError(
        'PROVIDER_AUTH_FAILED', 'SendGrid accepts the API key, but it has no Mail Send access.',
        'Give the key Mail Send access in the SendGrid dashboard (Settings → API Keys), or use one that has it.', { provider: 'sendgrid' },
      );
    }
    return `API key with Mail Send access (${scopes.length} scope(s))`;
  }

  /** Event Webhook posts carry SendGrid's ECDSA signature; Inbound Parse posts, the credentials of the parse URL. */
  verifyWebhook(request: WebhookRequest): boolean {
    if (isEventWebhook(request)) {
      if (!this.events) return this.refuse('eventWebhookPublicKey', 'delivery events');
      return this.events.isValid(request);
    }
    if (isInboundParse(request)) {
      const { basicAuth, token } = this.options.inboundParse;
      if (!basicAuth && !token) return this.refuse('inboundParse', 'mail');
      return isAuthenticatedInboundParse(request, this.options.inboundParse);
    }
    return false;
  }

  async parseWebhook(request: WebhookRequest): Promise<EmailEvent[]> {
    if (isInboundParse(request)) return [{ kind: 'received', email: await parseInboundParse(request) }];
    return parseEventWebhook(request.rawBody);
  }

  webhookReply(): WebhookReply {
    return { contentType: 'application/json', body: '{"received":true}' };
  }

  async close(): Promise<void> {
    // axios on Node's global agent: no pool of our own to drain.
  }

  /** A webhook kind that is not set up: refused, and said once in the log with the option that enables it. */
  private refuse(option: string, what: string): false {
    if (!this.warned.has(option)) {
      this.warned.add(option);
      this.logger.warn({ option }, `sendgrid webhook refused: set ${option} in the email options to receive ${what}`);
    }
    return false;
  }
}

function eventVerifier(publicKey: string, now: () => Date): EventWebhookVerifier {
  try {
    return new EventWebhookVerifier(publicKey, now);
  } catch {
    throw new DomainError(
      'CONFIG_INVALID',
      'eventWebhookPublicKey of the sendgrid email options is not an EC public key.',
      'Copy the verification key again from Settings → Mail Settings → Event Webhook → Signature Verification.',
      { plugin: 'sendgrid' },
    );
  }
}
