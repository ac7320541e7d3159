import type { Vonage } from '@vonage/server-sdk';
import type {
  AnswerScript, CallStatusUpdate, ConversationSettings, IncomingCall, MakeCallRequest, MakeCallResult, RecordingReady, TelephonyCalls,
} from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { mapVonageCallStatus, parseVonageCallEvent, parseVonageIncomingCall, parseVonageNotify } from './vonage-call-webhooks.js';
import { conversationNcco, hangupNcco, holdNcco, playNcco, talkNcco, transferNcco, type Ncco } from './vonage-ncco.js';
import { toMsisdn } from './vonage-numbers.js';
import { downloadVonageRecording, parseVonageRecording, recordingActions } from './vonage-recording.js';

type OutboundCall = Parameters<Vonage['voice']['createOutboundCall']>[0];

/** Vonage's `ringing_timer` range. */
const MAX_RING_SECONDS = 120;
/**
 * Answering-machine detection that waits for the greeting's beep (a message is left after it); a machine whose beep
 * does not come within this many seconds is reported anyway (`beep_timeout`).
 */
const MACHINE_DETECTION = { behavior: 'continue', mode: 'detect_beep', beepTimeout: 45 } as const;

function nccoReply(ncco: Ncco): WebhookReply {
  return { contentType: 'application/json', body: JSON.stringify(ncco) };
}

function httpStatusOf(err: unknown): number | null {
  const status = (err as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status === 'number' ? status : null;
}

/** Vonage streams raw audio only: our own recogniser and voice carry the call (the `media-stream` transport). */
function mediaStreamOnly(): DomainError {
  return new DomainError(
    'CHANNEL_NOT_CONFIGURED',
    'Vonage carries live conversations as raw audio only (no ConversationRelay): the media-stream transport is needed.',
    'Set voice.transport to media-stream (server config, or the agent\'s voice settings), with stt and tts adapters configured.',
    { provider: 'vonage' },
  );
}

/**
 * The call half of the telephony port over the Vonage Voice API: voice messages and live conversations (a
 * WebSocket leg to our voice socket) with an inline NCCO, call events.
 */
export class VonageCalls implements TelephonyCalls {
  constructor(
    private readonly voice: Vonage['voice'],
    private readonly currency: string,
    private readonly toDomainError: (err: unknown) => Promise<DomainError>,
    private readonly logger: Logger,
    /** The socket URL with the adapter's signed token for it. */
    private readonly signSocketUrl: (url: string) => string,
    /** The Voice API origin (recordings are downloaded from it or from Vonage's own hosts only) and the request timeout. */
    private readonly api: { apiHost: string; timeoutMs: number },
  ) {}

  async makeCall(request: MakeCallRequest): Promise<MakeCallResult> {
    const { script } = request;
    const scripted = script.kind === 'play' ? playNcco(script.audioUrls, script.loop) : this.conversationNcco(script.conversation);
    // With detection, the answered call holds in silence until the result comes as an event, then gets its script.
    const ncco = request.machineDetection ? holdNcco(request.reference) : scripted;
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
      ...(request.machineDetection ? { advancedMachineDetection: MACHINE_DETECTION } : {}),
    } as unknown as OutboundCall;
    try {
      const placed = await this.voice.createOutboundCall(call);
      // An unknown new status still means Vonage took the call.
      return { providerCallId: placed.uuid, status: mapVonageCallStatus(String(placed.status)) ?? 'queued' };
    } catch (err) {
      throw await this.failure(err, 'vonage call failed', request.requestId);
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

  /** Detection is done: the held call runs its script (a transfer to a new NCCO), or is hung up. */
  async continueAnsweredCall(providerCallId: string, script: AnswerScript): Promise<void> {
    if (script.kind === 'hangup') return this.hangUp(providerCallId);
    const ncco = script.kind === 'play' ? playNcco(script.audioUrls, script.loop)
      : script.kind === 'say' ? talkNcco(script.text, script.language)
        : this.conversationNcco(script.conversation);
    try {
      await this.voice.transferCallWithNCCO(providerCallId, ncco as Parameters<Vonage['voice']['transferCallWithNCCO']>[1]);
    } catch (err) {
      throw await this.failure(err, 'vonage transfer after machine detection failed');
    }
  }

  parseRecordingStatus(request: WebhookRequest): RecordingReady {
    return parseVonageRecording(request, this.api.apiHost);
  }

  async fetchRecording(recordingId: string): Promise<{ audio: Uint8Array; contentType: string }> {
    try {
      return await downloadVonageRecording(this.voice, recordingId, this.api);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw await this.failure(err, 'vonage recording download failed');
    }
  }

  parseIncomingCall(request: WebhookRequest): IncomingCall {
    return parseVonageIncomingCall(request);
  }

  answerWithConversation(settings: ConversationSettings): WebhookReply {
    return nccoReply(this.conversationNcco(settings));
  }

  /** The `notify` after the WebSocket leg: the socket stored the handoff on the call before closing, so none travels here. */
  parseConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null } {
    return { providerCallId: parseVonageNotify(request).uuid, handoffData: null };
  }

  answerWithTransfer(to: string, callerId: string): WebhookReply {
    return nccoReply(transferNcco(to, callerId));
  }

  answerWithHangup(): WebhookReply {
    return nccoReply(hangupNcco());
  }

  private conversationNcco(settings: ConversationSettings): Ncco {
    if (settings.transport !== 'media-stream') throw mediaStreamOnly();
    const before = recordingActions(settings.recording, settings.language);
    return conversationNcco(this.signSocketUrl(settings.relayUrl), settings.parameters ?? {}, settings.actionUrl, before);
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

  private async failure(err: unknown, what: string, requestId?: string): Promise<DomainError> {
    const failure = await this.toDomainError(err);
    // No numbers or URLs in logs: the code and safe details say enough.
    this.logger.warn({ requestId, code: failure.code, details: failure.details }, what);
    return failure;
  }
}

