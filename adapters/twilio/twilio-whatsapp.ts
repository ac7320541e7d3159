import twilio from 'twilio';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import type { SendWhatsAppRequest, SendWhatsAppResult, WhatsAppEvent, WhatsAppPort } from '../../ports/whatsapp.js';
import { BaseUrlRequestClient } from './base-url-request-client.js';
import { mapTwilioStatus } from './twilio-message-status.js';
import { checkTwilioCredentials } from './twilio-credential-check.js';
import { resolveTwilioOptions, twilioSecrets, type ResolvedTwilioOptions, type TwilioOptions } from './twilio-options.js';
import { TWILIO_WEBHOOK_KINDS, isValidTwilioSignature } from './twilio-webhook-signature.js';
import { twilioWhatsAppErrorMapper } from './twilio-whatsapp-errors.js';
import { buildTwilioWhatsAppMessage } from './twilio-whatsapp-message.js';
import { parseTwilioWhatsAppWebhook } from './twilio-whatsapp-webhook.js';

/** Empty TwiML: "handled, nothing to reply" (Twilio would send back anything inside <Response>). */
const WEBHOOK_REPLY: WebhookReply = { contentType: 'text/xml', body: new twilio.twiml.MessagingResponse().toString() };

/**
 * The WhatsApp port over Twilio's Messages API (`whatsapp:+E164` addresses, Content API templates), through the
 * official `twilio` SDK only. Twilio reports a free-form message outside the 24-hour window asynchronously: `send`
 * succeeds and the StatusCallback later says `failed` with ErrorCode 63016 (core checks the window before sending).
 */
export class TwilioWhatsApp implements WhatsAppPort, CredentialCheck {
  readonly webhookKinds = TWILIO_WEBHOOK_KINDS;
  private readonly options: ResolvedTwilioOptions;
  private readonly httpClient: BaseUrlRequestClient;
  private readonly client: twilio.Twilio;
  private readonly logger: Logger;
  private readonly toDomainError: ReturnType<typeof twilioWhatsAppErrorMapper>;

  constructor(options: TwilioOptions, ctx: PluginContext) {
    this.options = resolveTwilioOptions(options);
    this.logger = ctx.logger.child({ adapter: 'twilio', port: 'whatsapp' });
    this.httpClient = new BaseUrlRequestClient(this.options.baseUrl, this.options.timeoutMs, () => ctx.clock.now());
    this.client = twilio(this.options.rest.username, this.options.rest.password, {
      accountSid: this.options.accountSid,
      httpClient: this.httpClient,
      autoRetry: false,
      timeout: this.options.timeoutMs,
    });
    this.toDomainError = twilioWhatsAppErrorMapper(twilioSecrets(this.options), this.options.timeoutMs);
  }

  async send(request: SendWhatsAppRequest): Promise<SendWhatsAppResult> {
    // Refusals of the request itself (INVALID_INPUT) are thrown before anything is sent.
    const message = buildTwilioWhatsAppMessage(request, this.options.messagingServiceSid);
    try {
      const created = await this.client.messages.create(message);
      // An unknown new status still means Twilio took the message.
      return { providerMessageId: created.sid, status: mapTwilioStatus(created.status) ?? 'accepted' };
    } catch (err) {
      const failure = this.toDomainError(err);
      // No numbers or bodies in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'twilio whatsapp send failed');
      throw failure;
    }
  }

  /** Fetches the account, as the telephony adapter does: free, and refused with 20003 when the SID or token is wrong. */
  async checkCredentials(): Promise<string> {
    try {
      return await checkTwilioCredentials(this.client, this.options);
    } catch (err) {
      throw this.toDomainError(err);
    }
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return isValidTwilioSignature(this.options.authToken, request);
  }

  parseWebhook(request: WebhookRequest): WhatsAppEvent[] {
    return parseTwilioWhatsAppWebhook(request, (status) => this.logger.warn({ requestId: request.requestId, providerStatus: status }, 'twilio whatsapp webhook with an unknown status ignored'));
  }

  webhookReply(): WebhookReply {
    return WEBHOOK_REPLY;
  }

  async close(): Promise<void> {
    this.httpClient.close();
  }
}
