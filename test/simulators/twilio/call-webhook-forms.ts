import { API_VERSION, rfc2822 } from './twilio-message-resource.js';

export type CallDirection = 'outbound-api' | 'inbound';

export interface CallParties {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  /** Default outbound-api: a call placed through the REST API. */
  direction?: CallDirection;
  /** Where the call is; voice requests report it (ringing for an incoming call, in-progress once answered). */
  status?: string;
}

/** The fields every voice webhook carries, in Twilio's names. */
function callFields(call: CallParties, callStatus: string): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: API_VERSION,
    CallSid: call.sid,
    CallStatus: callStatus,
    Called: call.to,
    Caller: call.from,
    Direction: call.direction ?? 'outbound-api',
    From: call.from,
    To: call.to,
  };
}

/**
 * The form Twilio sends for the TwiML to run: to a call's `Url` when the callee answers (in-progress), or to the
 * number's voice URL when a call comes in (ringing, inbound).
 */
export function voiceRequestForm(call: CallParties): Record<string, string> {
  return callFields(call, call.status === 'ringing' ? 'ringing' : 'in-progress');
}

/** How a ConversationRelay session ended, as the `<Connect action>` request reports it. */
export interface ConversationEndEvent {
  sessionId: string;
  /** `ended` when our socket sent `end`, `completed` when the caller hung up, `failed` when the session broke. */
  sessionStatus: 'ended' | 'completed' | 'failed';
  /** Whole seconds the session lasted. */
  sessionDurationSeconds: number;
  /** The `handoffData` string of the `end` message, as sent; absent otherwise. */
  handoffData?: string;
  errorMessage?: string;
}

/**
 * The form Twilio sends to `<Connect action>` when a ConversationRelay session ends: the call fields (CallStatus
 * completed when the caller hung up) plus SessionId, SessionStatus, SessionDuration, and HandoffData / ErrorMessage.
 */
export function conversationEndForm(call: CallParties, event: ConversationEndEvent): Record<string, string> {
  const params: Record<string, string> = {
    ...callFields(call, event.sessionStatus === 'completed' ? 'completed' : 'in-progress'),
    SessionId: event.sessionId,
    SessionStatus: event.sessionStatus,
    SessionDuration: String(event.sessionDurationSeconds),
  };
  if (event.handoffData !== undefined) params.HandoffData = event.handoffData;
  if (event.errorMessage !== undefined) params.ErrorMessage = event.errorMessage;
  return params;
}

export interface CallStatusEvent {
  /** initiated, ringing, in-progress, completed, busy, failed, no-answer, canceled. */
  callStatus: string;
  /** 0 for the first callback of the call, then +1 for each one sent. */
  sequenceNumber: number;
  timestamp: Date;
  /** Connected seconds, sent with the final status only (0 when the call was never answered). */
  callDurationSeconds?: number;
}

/**
 * The form Twilio POSTs to StatusCallback. The final one carries `CallDuration` (connected seconds) and
 * `Duration` (billed minutes, rounded up).
 */
export function callStatusForm(call: CallParties, event: CallStatusEvent): Record<string, string> {
  const params: Record<string, string> = {
    ...callFields(call, event.callStatus),
    CallbackSource: 'call-progress-events',
    SequenceNumber: String(event.sequenceNumber),
    Timestamp: rfc2822(event.timestamp),
  };
  if (event.callDurationSeconds !== undefined) {
    params.CallDuration = String(event.callDurationSeconds);
    params.Duration = String(Math.ceil(event.callDurationSeconds / 60));
  }
  return params;
}
