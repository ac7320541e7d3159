import type {
  CallStatusUpdate, ConversationSettings, IncomingCall, MakeCallRequest, MakeCallResult, TelephonyCalls,
} from '../../ports/calls.js';
import type { Logger } from '../../ports/runtime.js';
import type {
  InboundSms, SendSmsRequest, SendSmsResult, SmsStatusUpdate, TelephonyCapabilities, TelephonyPort,
} from '../../ports/telephony.js';
import type { NamedAdapter, WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { FailoverAdapter } from './failover-adapter.js';

/**
 * Calls go through one member only, the first that has voice: a live call is not something to move between
 * providers halfway, and its webhooks reach core through `signedBy` anyway. Placed calls name that member.
 */
class MemberCalls implements TelephonyCalls {
  private readonly calls: TelephonyCalls;

  constructor(private readonly member: NamedAdapter<TelephonyPort>) {
    this.calls = member.port.calls!;
  }

  async makeCall(request: MakeCallRequest): Promise<MakeCallResult> {
    return { ...(await this.calls.makeCall(request)), provider: this.member.id };
  }

  parseCallStatus(request: WebhookRequest): CallStatusUpdate { return this.calls.parseCallStatus(request); }
  hangUp(providerCallId: string): Promise<void> { return this.calls.hangUp(providerCallId); }
  fetchCallPrice(providerCallId: string): Promise<{ priceMicros: number; currency: string } | null> {
    return this.calls.fetchCallPrice ? this.calls.fetchCallPrice(providerCallId) : Promise.resolve(null);
  }
  parseIncomingCall(request: WebhookRequest): IncomingCall { return this.calls.parseIncomingCall(request); }
  answerWithConversation(settings: ConversationSettings): WebhookReply { return this.calls.answerWithConversation(settings); }
  parseConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null } { return this.calls.parseConversationEnd(request); }
  answerWithTransfer(to: string, callerId: string): WebhookReply { return this.calls.answerWithTransfer(to, callerId); }
  answerWithHangup(): WebhookReply { return this.calls.answerWithHangup(); }
}

/** The telephony port over an ordered list of adapters: SMS fails over, webhooks go to the member that signed them. */
export class FailoverTelephony extends FailoverAdapter<TelephonyPort> implements TelephonyPort {
  readonly capabilities: TelephonyCapabilities;
  readonly calls?: TelephonyCalls;

  constructor(members: readonly NamedAdapter<TelephonyPort>[], logger: Logger) {
    super(members, logger);
    const voice = members.find((m) => m.port.capabilities.voice && m.port.calls);
    this.capabilities = {
      sms: members.every((m) => m.port.capabilities.sms),
      mms: members.every((m) => m.port.capabilities.mms),
      voice: voice !== undefined,
      ...(voice ? { conversations: voice.port.capabilities.conversations ?? true } : {}),
      // The voice socket reads the media of the member that carries the calls.
      ...(voice?.port.capabilities.mediaStream ? { mediaStream: voice.port.capabilities.mediaStream } : {}),
    };
    if (voice) this.calls = new MemberCalls(voice);
  }

  sendSms(request: SendSmsRequest): Promise<SendSmsResult> {
    return this.sendInOrder(request.requestId, (port) => port.sendSms(request));
  }

  parseInboundSms(request: WebhookRequest): InboundSms {
    return this.parserOf(request).parseInboundSms(request);
  }

  parseSmsStatus(request: WebhookRequest): SmsStatusUpdate {
    return this.parserOf(request).parseSmsStatus(request);
  }
}
