import { Vonage } from '@vonage/server-sdk';
import { SegmentedMessage } from 'sms-segments-calculator';
import type { TelephonyCalls } from '../../ports/calls.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { PluginContext } from '../../ports/plugin.js';
import type { Clock, Logger } from '../../ports/runtime.js';
import type {
  InboundSms, SendSmsRequest, SendSmsResult, SmsStatusUpdate, TelephonyCapabilities, TelephonyPort,
} from '../../ports/telephony.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { VonageCalls } from './vonage-calls.js';
import { toMsisdn } from './vonage-numbers.js';
import { isValidSmsApiSignature } from './vonage-sms-signature.js';
import { parseVonageInboundSms, parseVonageSmsStatus, smsApiFields } from './vonage-sms-webhooks.js';
import { vonageTelephonyErrors } from './vonage-telephony-errors.js';
import { resolveVonageTelephonyOptions, type ResolvedVonageTelephonyOptions, type VonageTelephonyOptions } from './vonage-telephony-options.js';
import { isSignedSocketUrl, isSocketUpgrade, signSocketUrl } from './vonage-socket-token.js';
import { VONAGE_WEBHOOK_KINDS, isValidVonageSignature } from './vonage-webhook-signature.js';

type SmsParams = Parameters<Vonage['sms']['send']>[0];

/** The SMS API keeps `client-ref` up to 40 characters and echoes it in every delivery receipt. */
const MAX_CLIENT_REF = 40;

/** Vonage only needs a 2xx; a JSON body keeps proxies and logs unsurprised. */
const WEBHOOK_REPLY: WebhookReply = { contentType: 'application/json', body: '{}' };

/**
 * The telephony port over Vonage, through the official `@vonage/server-sdk` only: SMS through the SMS API (signed
 * `sig` webhooks, or the Messages API's signed JWT when the account sends SMS events that way), and voice messages,
 * live conversations (a WebSocket leg to our voice socket) and call events through the Voice API when an
 * application is configured.
 */
export class VonageTelephony implements TelephonyPort, CredentialCheck {
  readonly webhookKinds = VONAGE_WEBHOOK_KINDS;
  readonly capabilities: TelephonyCapabilities;
  readonly calls?: TelephonyCalls;
  private readonly options: ResolvedVonageTelephonyOptions;
  private readonly client: Vonage;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly toDomainError: ReturnType<typeof vonageTelephonyErrors>;

  constructor(options: VonageTelephonyOptions, ctx: PluginContext) {
    this.options = resolveVonageTelephonyOptions(options, ctx.configDir);
    this.clock = ctx.clock;
    this.logger = ctx.logger.child({ adapter: 'vonage', port: 'telephony' });
    const { apiKey, apiSecret, application, restHost, apiHost, timeoutMs } = this.options;
    // The SMS API authenticates with the key and secret, the Voice API with the application's JWT.
    this.client = new Vonage({ apiKey, apiSecret, ...(application ?? {}) }, { restHost, apiHost, timeout: timeoutMs });
    this.toDomainError = vonageTelephonyErrors({ secrets: this.options.secrets, timeoutMs, now: () => this.clock.now() });
    // Live conversations ride a WebSocket leg of raw audio (our own recogniser and voice), so they need the Voice API too.
    this.capabilities = { sms: true, mms: false, voice: application !== null, conversations: application !== null, mediaStream: 'vonage-websocket' };
    if (application) {
      const sign = (url: string): string => signSocketUrl(url, this.options.signatureSecret, this.clock.now());
      this.calls = new VonageCalls(this.client.voice, this.options.currency, (err) => this.toDomainError.call(err), this.logger, sign, { apiHost, timeoutMs });
    }
  }

  async sendSms(request: SendSmsRequest): Promise<SendSmsResult> {
    const params = {
      from: toMsisdn(request.from),
      to: toMsisdn(request.to),
      text: request.body,
      // Text outside the GSM alphabet is mangled unless sent as unicode.
      type: new SegmentedMessage(request.body).encodingName === 'GSM-7' ? 'text' : 'unicode',
      clientRef: request.reference.slice(0, MAX_CLIENT_REF),
      ...(request.statusCallbackUrl ? { callback: request.statusCallbackUrl } : {}),
    } as SmsParams;
    try {
      const answer = await this.client.sms.send(params);
      // A long message is sent in parts, each with its own id; the first names it, `client-ref` places the rest.
      const first = answer.messages[0]?.messageId;
      if (!first) throw new Error('The SMS API answered without a message id');
      return { providerMessageId: first, status: 'accepted' };
    } catch (err) {
      const failure = await this.toDomainError.sms(err);
      // No numbers or bodies in logs: the code and safe details say enough.
      this.logger.warn({ requestId: request.requestId, code: failure.code, details: failure.details }, 'vonage send failed');
      throw failure;
    }
  }

  /** Reads the account balance: free, and refused with 401 when the API key or secret is wrong. */
  async checkCredentials(): Promise<string> {
    try {
      await this.client.accounts.getBalance();
      return `account ${this.options.apiKey.slice(0, 4)}… answers its balance`;
    } catch (err) {
      throw await this.toDomainError.credentials(err);
    }
  }

  /**
   * SMS API webhooks carry `sig`; Voice API webhooks, and SMS events of an account set up for the Messages API, a
   * signed JWT. Neither covers the URL, so a request whose URL is not even a URL is refused outright.
   */
  verifyWebhook(request: WebhookRequest): boolean {
    if (!URL.canParse(request.url)) return false;
    const now = this.clock.now();
    // Our voice socket's upgrade: Vonage signs none, so the URL carries the token this adapter signed for it.
    if (isSocketUpgrade(request.method, request.url)) return isSignedSocketUrl(request.url, this.options.signatureSecret, now);
    if (request.headers.authorization) return isValidVonageSignature(this.options.signatureSecret, request, now);
    const fields = smsApiFields(request);
    return fields !== null && isValidSmsApiSignature(this.client.sms, fields, this.options.signatureSecret, this.options.signatureMethod, now);
  }

  parseInboundSms(request: WebhookRequest): InboundSms {
    return parseVonageInboundSms(request);
  }

  parseSmsStatus(request: WebhookRequest): SmsStatusUpdate {
    return parseVonageSmsStatus(request);
  }

  webhookReply(): WebhookReply {
    return WEBHOOK_REPLY;
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets of its own (node-fetch on the global agent, whose idle sockets are unref'd).
  }
}

