import type { Vonage } from '@vonage/server-sdk';
import type {
  CallStatusUpdate, ConversationSettings, IncomingCall, MakeCallRequest, MakeCallResult, TelephonyCalls,
} from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { mapVonageCallStatus, parseVonageCallEvent, parseVonageIncomingCall } from './vonage-call-webhooks.js';
import { hangupNcco, playNcco, transferNcco, type Ncco } from './vonage-ncco.js';
import { toMsisdn } from './vonage-numbers.js';

type OutboundCall = Parameters<Vonage['voice']['createOutboundCall']>[0];

/** Vonage's `ringing_timer` range. */
const MAX_RING_SECONDS = 120;

function nccoReply(ncco: Ncco): WebhookReply {
  return { contentType: 'application/json', body: JSON.stringify(ncco) };
}

function httpStatusOf(err: unknown): number | null {
  const status = (err as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status === 'number' ? status : null;
}

function noConversations(): DomainError {
  return new DomainError(
    'CHANNEL_NOT_CONFIGURED',
    'The Vonage adapter places and reports calls, but cannot hold live conversations yet.',
    'Use a telephony adapter with live conversations (twilio) for AI calls.',
    { provider: 'vonage' },
  );
}

/** The call half of the telephony port over the Vonage Voice API: voice messages with an inline NCCO, call events. */
export class VonageCalls implements TelephonyCalls {
  constructor(
    private readonly voice: Vonage['voice'],
    private readonly currency: string,
    private readonly toDomainError: (err: unknown) => Promise<DomainError>,
    private readonly logger: Logger,
  ) {}

  async makeCall(request: MakeCallRequest): Promise<MakeCallResult> {
    if (request.script.kind !== 'play') throw noConversations();
    const ncco = playNcco(request.script.audioUrls, request.script.loop);
    const timeout = request.ringTimeoutSeconds;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_RING_SECONDS)) {
      throw new DomainError(
        'INVALID_INPUT',
        `A ring timeout of ${timeout} seconds is not possible.`,
        `Give a whole number of seconds from 1 to ${MAX_RING_SECONDS}, or leave it out for Vonage's 60.`,
        { provider: 'vonage' },
      );
    }
    const call = {
      to: [{ type: 'phone', number: toMsisdn(request.to) }],
      from: { type: 'phone', number: toMsisdn(request.from) },
      ncco,
      ...(request.statusCallbackUrl ? { eventUrl: [request.statusCallbackUrl], eventMethod: 'POST' } : {}),
      ...(timeout !== undefined ? { ringingTimer: timeout } : {}),
    } as unknown as OutboundCall;
    try {
      const placed = await this.voice.createOutboundCall(call);
      // An unknown new status still means Vonage took the call.
      return { providerCallId: placed.uuid, status: mapVonageCallStatus(String(placed.status)) ?? 'queued' };
    } catch (err) {
      throw await this.failure(err, 'vonage call failed');
    }
  }

  parseCallStatus(request: WebhookRequest): CallStatusUpdate {
    return parseVonageCallEvent(request, this.currency);
  }

  /**
   * Ends the call whatever its state. Vonage answers 404 both for a call that has ended and for one it never had:
   * the call's record tells them apart, so that hanging up an ended call is not an error.
   */
  async hangUp(providerCallId: string): Promise<void> {
    try {
      await this.voice.hangupCall(providerCallId);
    } catch (err) {
      if (httpStatusOf(err) !== 404) throw await this.failure(err, 'vonage hang-up failed');
      await this.requireKnownCall(providerCallId);
    }
  }

  parseIncomingCall(request: WebhookRequest): IncomingCall {
    return parseVonageIncomingCall(request);
  }

  answerWithConversation(_settings: ConversationSettings): WebhookReply {
    throw noConversations();
  }

  parseConversationEnd(_request: WebhookRequest): { providerCallId: string; handoffData: string | null } {
    throw noConversations();
  }

  answerWithTransfer(to: string, callerId: string): WebhookReply {
    return nccoReply(transferNcco(to, callerId));
  }

  answerWithHangup(): WebhookReply {
    return nccoReply(hangupNcco());
  }

  private async requireKnownCall(providerCallId: string): Promise<void> {
    try {
      await this.voice.getCall(providerCallId);
    } catch (err) {
      if (httpStatusOf(err) === 404) {
        throw new DomainError('NOT_FOUND', 'Vonage knows no such call.', 'Check the call id: it must be a call of this Vonage application.', { provider: 'vonage', providerStatus: 404 });
      }
      throw await this.failure(err, 'vonage call lookup failed');
    }
  }

  private async failure(err: unknown, what: string): Promise<DomainError> {
    const failure = await this.toDomainError(err);
    // No numbers or URLs in logs: the code and safe details say enough.
    this.logger.warn({ code: failure.code, details: failure.details }, what);
    return failure;
  }
}

