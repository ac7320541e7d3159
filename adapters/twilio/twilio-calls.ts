import type twilio from 'twilio';
import type {
  AnsweredBy, AnswerScript, CallStatusUpdate, ConversationSettings, IncomingCall, MakeCallRequest, MakeCallResult, RecordingReady, TelephonyCalls,
} from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { mapTwilioCallStatus } from './twilio-call-status.js';
import { scriptTwiml } from './twilio-call-twiml.js';
import { parseTwilioCallStatus, resourcePrice } from './twilio-call-webhook.js';
import { conversationTwiml, hangupTwiml, transferTwiml } from './twilio-conversation-twiml.js';
import { parseTwilioConversationEnd, parseTwilioIncomingCall } from './twilio-conversation-webhooks.js';
import type { TwilioSubject } from './twilio-error-mapping.js';
import { parseTwilioRecordingStatus } from './twilio-recording.js';
import { answerTwiml, parseTwilioAnsweredCall } from './twilio-machine-detection.js';

/** Every progress event, so core sees ringing and answer times, not only the end. */
const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];
/** Twilio's answer to a realtime change of a call that has already ended. */
const CALL_NOT_IN_PROGRESS = 21220;
const MAX_RING_SECONDS = 600;

/** TwiML answers are XML; Twilio reads `text/xml`. */
function xmlReply(body: string): WebhookReply {
  return { contentType: 'text/xml', body };
}

function providerCode(err: unknown): number | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : null;
}

function providerStatus(err: unknown): number | null {
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : null;
}

/** The call half of the telephony port over Twilio's Calls API: TwiML is sent inline, nothing is fetched from us. */
export class TwilioCalls implements TelephonyCalls {
  constructor(
    private readonly client: twilio.Twilio,
    private readonly logger: Logger,
    private readonly toDomainError: (err: unknown, subject: TwilioSubject) => DomainError,
    private readonly recordingMedia: (recordingSid: string) => Promise<{ audio: Uint8Array; contentType: string }>,
  ) {}

  async makeCall(request: MakeCallRequest): Promise<MakeCallResult> {
    const twiml = scriptTwiml(request.script);
    const timeout = request.ringTimeoutSeconds;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_RING_SECONDS)) {
      throw new DomainError(
        'INVALID_INPUT',
        `A ring timeout of ${timeout} seconds is not possible.`,
        `Give a whole number of seconds from 1 to ${MAX_RING_SECONDS}, or leave it out for Twilio's 60.`,
        { provider: 'twilio' },
      );
    }
    try {
      const call = await this.client.calls.create({
        to: request.to,
        from: request.from,
        // With machine detection Twilio asks for the instructions once it knows who answered (after the beep).
        ...(request.machineDetection
          ? { url: request.machineDetection.answerUrl, method: 'POST', machineDetection: 'DetectMessageEnd' }
          : { twiml }),
        ...(request.statusCallbackUrl
          ? { statusCallback: request.statusCallbackUrl, statusCallbackEvent: STATUS_EVENTS, statusCallbackMethod: 'POST' }
          : {}),
        ...(timeout !== undefined ? { timeout } : {}),
      });
      // An unknown new status still means Twilio took the call.
      return { providerCallId: call.sid, status: mapTwilioCallStatus(call.status) ?? 'queued' };
    } catch (err) {
      throw this.failure(err, 'twilio call failed', request.requestId);
    }
  }

  parseCallStatus(request: WebhookRequest): CallStatusUpdate {
    return parseTwilioCallStatus(request);
  }

  /** Ends the call whatever its state (Twilio cancels one still ringing); a call that already ended is left as it is. */
  async fetchCallPrice(providerCallId: string): Promise<{ priceMicros: number; currency: string } | null> {
    try {
      return resourcePrice(await this.client.calls(providerCallId).fetch());
    } catch (err) {
      throw this.failure(err, 'twilio call fetch failed');
    }
  }

  async hangUp(providerCallId: string): Promise<void> {
    try {
      await this.client.calls(providerCallId).update({ status: 'completed' });
    } catch (err) {
      if (providerCode(err) === CALL_NOT_IN_PROGRESS) return;
      if (providerStatus(err) === 404) {
        throw new DomainError(
          'NOT_FOUND',
          'Twilio knows no such call.',
          'Check the call id: it must be a call placed with this Twilio account.',
          { provider: 'twilio', providerStatus: 404, providerCode: providerCode(err) },
        );
      }
      throw this.failure(err, 'twilio hang-up failed');
    }
  }

  parseAnsweredCall(request: WebhookRequest): { providerCallId: string; answeredBy: AnsweredBy } {
    return parseTwilioAnsweredCall(request);
  }

  answerCall(script: AnswerScript): WebhookReply {
    return xmlReply(answerTwiml(script));
  }

  parseRecordingStatus(request: WebhookRequest): RecordingReady | null {
    return parseTwilioRecordingStatus(request);
  }

  fetchRecording(recordingId: string): Promise<{ audio: Uint8Array; contentType: string }> {
    return this.recordingMedia(recordingId);
  }

  parseIncomingCall(request: WebhookRequest): IncomingCall {
    return parseTwilioIncomingCall(request);
  }

  answerWithConversation(settings: ConversationSettings): WebhookReply {
    return xmlReply(conversationTwiml(settings));
  }

  parseConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null } {
    return parseTwilioConversationEnd(request);
  }

  answerWithTransfer(to: string, callerId: string): WebhookReply {
    return xmlReply(transferTwiml(to, callerId));
  }

  answerWithHangup(): WebhookReply {
    return xmlReply(hangupTwiml());
  }

  private failure(err: unknown, what: string, requestId?: string): DomainError {
    const failure = this.toDomainError(err, 'call');
    // No numbers or URLs in logs: the code and safe details say enough.
    this.logger.warn({ requestId, code: failure.code, details: failure.details }, what);
    return failure;
  }
}
