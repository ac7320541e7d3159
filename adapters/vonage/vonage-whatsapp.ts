import { Vonage } from '@vonage/server-sdk';
import type { DomainError } from '../../ports/errors.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Clock, Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import type { SendWhatsAppRequest, SendWhatsAppResult, WhatsAppEvent, WhatsAppPort } from '../../ports/whatsapp.js';
import { vonageErrorMapper } from './vonage-error-mapping.js';
import { buildVonageWhatsAppMessage } from './vonage-outbound-message.js';
import { resolveVonageOptions, type ResolvedVonageOptions, type VonageOptions } from './vonage-options.js';
import { parseVonageWebhook } from './vonage-webhook-events.js';
import { VONAGE_MESSAGES_WEBHOOK_KINDS, isValidVonageSignature } from './vonage-webhook-signature.js';

/** Vonage only needs a 2xx; a JSON body keeps proxies and logs unsurprised. */
const WEBHOOK_REPLY: WebhookReply = { contentType: 'application/json', body: '{}' };

/** The WhatsApp port over the Vonage Messages API v1, through the official `@vonage/server-sdk` only. */
export class VonageWhatsApp implements WhatsAppPort {
  readonly webhookKinds = VONAGE_MESSAGES_WEBHOOK_KINDS;
  private readonly options: ResolvedVonageOptions;
  private readonly client: Vonage;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly toDomainError: (err: unknown) => Promise<DomainError>;

  constructor(options: VonageOptions, ctx: PluginContext) {
    this.options = resolveVonageOptions(options, ctx.configDir);
    this.clock = ctx.clock;
    this.logger = ctx.logger.child({ adapter: 'vonage', port: 'whatsapp' });
    const { credentials } = this.options;
    // Only one kind of credential is handed over: the SDK picks JWT whenever an application key is present.
    this.client = new Vonage(
      credentials.kind === 'jwt'
        ? { applicationId: credentials.applicationId, privateKey: credentials.privateKey }
        : { apiKey: credentials.apiKey, apiSecret: credentials.apiSecret },
      { apiHost: this.options.apiHost, timeout: this.options.timeoutMs },
    );
    this.toDomainError = vonageErrorMapper({
      secrets: this.options.secrets, timeoutMs: this.options.timeoutMs, credentials, now: () => this.clock.now(),
    });
  }

  async send(request: SendWhatsAppRequest): Promise<SendWhatsAppResult> {
    // Refusals of the request itself (INVALID_INPUT) are thrown before anything is sent.
    const message = buildVonageWhatsAppMessage(request, this.options.templateLanguage);
    try {
      const { messageUUID } = await this.client.messages.send(message);
      return { providerMessageId: messageUUID, status: 'accepted' };
    } catch (err) {
      const failure = await this.toDomainError(err);
      // No numbers or bodies in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'vonage whatsapp send failed');
      throw failure;
    }
  }

  verifyWebhook(request: WebhookRequest): boolean {
    return isValidVonageSignature(this.options.signatureSecret, request, this.clock.now());
  }

  parseWebhook(request: WebhookRequest): WhatsAppEvent[] {
    return parseVonageWebhook(request, (status) => this.logger.warn({ requestId: request.requestId, providerStatus: status }, 'vonage webhook with an unknown status ignored'));
  }

  webhookReply(): WebhookReply {
    return WEBHOOK_REPLY;
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets of its own (node-fetch on the global agent, whose idle sockets are unref'd).
  }
}
