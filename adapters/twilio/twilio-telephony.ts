import twilio from 'twilio';
import type { TelephonyCalls } from '../../ports/calls.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { NumberProvisioning } from '../../ports/provisioning.js';
import type { Logger } from '../../ports/runtime.js';
import type {
  InboundSms, ProviderPrice, SendSmsRequest, SendSmsResult, SentSmsQuery, SmsStatusUpdate, TelephonyCapabilities, TelephonyPort,
} from '../../ports/telephony.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { BaseUrlRequestClient } from './base-url-request-client.js';
import { TwilioAccounts } from './twilio-accounts.js';
import { TwilioCalls } from './twilio-calls.js';
import { TwilioNumbers } from './twilio-numbers.js';
import { downloadTwilioRecording } from './twilio-recording.js';
import { twilioErrorMapper } from './twilio-error-mapping.js';
import { mapTwilioStatus } from './twilio-message-status.js';
import { checkTwilioCredentials } from './twilio-credential-check.js';
import { resolveTwilioOptions, twilioSecrets, type ResolvedTwilioOptions, type TwilioOptions } from './twilio-options.js';
import { TWILIO_WEBHOOK_KINDS, isValidTwilioSignature } from './twilio-webhook-signature.js';
import { resourcePrice } from './twilio-call-webhook.js';
import { parseTwilioInboundSms, parseTwilioSmsStatus } from './twilio-webhook-forms.js';

/** How many of a sender's latest messages to one number a lookup reads at most (10 pages). */
const LOOKUP_LIMIT = 1000;

/** Empty TwiML: "handled, nothing to reply" (Twilio would text back anything inside <Response>). */
const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

/** The telephony port (SMS and calls) over Twilio's REST API, through the official `twilio` SDK only. */
export class TwilioTelephony implements TelephonyPort, CredentialCheck {
  readonly webhookKinds = TWILIO_WEBHOOK_KINDS;
  readonly capabilities: TelephonyCapabilities = { sms: true, mms: true, voice: true };
  readonly calls: TelephonyCalls;
  readonly numbers: NumberProvisioning;
  readonly accounts: TwilioAccounts;
  private readonly options: ResolvedTwilioOptions;
  private readonly httpClient: BaseUrlRequestClient;
  private readonly client: twilio.Twilio;
  private readonly logger: Logger;
  private readonly toDomainError: ReturnType<typeof twilioErrorMapper>;

  constructor(options: TwilioOptions, ctx: PluginContext) {
    this.options = resolveTwilioOptions(options);
    this.logger = ctx.logger.child({ adapter: 'twilio' });
    this.httpClient = new BaseUrlRequestClient(this.options.baseUrl, this.options.timeoutMs, () => ctx.clock.now());
    this.client = twilio(this.options.rest.username, this.options.rest.password, {
      accountSid: this.options.accountSid,
      httpClient: this.httpClient,
      autoRetry: false,
      timeout: this.options.timeoutMs,
    });
    this.toDomainError = twilioErrorMapper(twilioSecrets(this.options), this.options.timeoutMs);
    this.calls = new TwilioCalls(this.client, this.logger, this.toDomainError, (sid) => downloadTwilioRecording(this.options, sid));
    this.numbers = new TwilioNumbers(this.client, this.logger, this.toDomainError);
    this.accounts = new TwilioAccounts(this.client, this.options, this.toDomainError);
  }

  async sendSms(request: SendSmsRequest): Promise<SendSmsResult> {
    try {
      const message = await this.client.messages.create({
        to: request.to,
        from: request.from,
        body: request.body,
        ...(request.statusCallbackUrl ? { statusCallback: request.statusCallbackUrl } : {}),
        ...(this.options.messagingServiceSid ? { messagingServiceSid: this.options.messagingServiceSid } : {}),
      });
      // An unknown new status still means Twilio took the message.
      return { providerMessageId: message.sid, status: mapTwilioStatus(message.status) ?? 'accepted' };
    } catch (err) {
      const failure = this.toDomainError(err);
      // No numbers or bodies in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'twilio send failed');
      throw failure;
    }
  }

  /**
   * Lists the account's messages from `from` to `to` and keeps those with this body created since `sentAfter`.
   * Not filtered by DateSent: a message Twilio accepted but still holds in its queue has no date_sent yet, and
   * missing it would let a retry send it twice. Newest first from Twilio; answered oldest first.
   */
  async findSentSms(query: SentSmsQuery): Promise<SendSmsResult[]> {
    try {
      const listed = await this.client.messages.list({ from: query.from, to: query.to, pageSize: 100, limit: LOOKUP_LIMIT });
      return listed
        .filter((m) => m.body === query.body && m.direction.startsWith('outbound') && m.dateCreated.getTime() >= query.sentAfter.getTime())
        .reverse()
        .map((m) => ({ providerMessageId: m.sid, status: mapTwilioStatus(m.status) ?? 'accepted' }));
    } catch (err) {
      const failure = this.toDomainError(err);
      this.logger.warn({ code: failure.code, details: failure.details }, 'twilio message lookup failed');
      throw failure;
    }
  }

  async fetchSmsPrice(providerMessageId: string): Promise<ProviderPrice | null> {
    try {
      return resourcePrice(await this.client.messages(providerMessageId).fetch());
    } catch (err) {
      const failure = this.toDomainError(err);
      this.logger.warn({ code: failure.code, details: failure.details }, 'twilio message fetch failed');
      throw failure;
    }
  }

  /** Fetches the account: free, and refused with 20003 when the SID or auth token is wrong. */
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

  get accountId(): string {
    return this.options.accountSid;
  }

  /** Twilio signs a subaccount's webhooks with the subaccount's own auth token, and names the account in AccountSid. */
  webhookAccount(request: WebhookRequest): string | null {
    const value = request.params.AccountSid;
    const sid = Array.isArray(value) ? value[0] : value;
    return typeof sid === 'string' && sid !== '' ? sid : null;
  }

  parseInboundSms(request: WebhookRequest): InboundSms {
    return parseTwilioInboundSms(request);
  }

  parseSmsStatus(request: WebhookRequest): SmsStatusUpdate {
    return parseTwilioSmsStatus(request);
  }

  webhookReply(): WebhookReply {
    return { contentType: 'text/xml', body: EMPTY_TWIML };
  }

  async close(): Promise<void> {
    this.httpClient.close();
  }
}
