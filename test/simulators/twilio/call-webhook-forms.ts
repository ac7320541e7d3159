import { API_VERSION, rfc2822 } from './twilio-message-resource.js';

export interface CallParties {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
}

/** The fields every voice webhook carries, in Twilio's names (outbound calls from the REST API). */
function callFields(call: CallParties, callStatus: string): Record<string, string> {
  return {
    AccountSid: call.accountSid,
    ApiVersion: API_VERSION,
    CallSid: call.sid,
    CallStatus: callStatus,
    Called: call.to,
    Caller: call.from,
    Direction: 'outbound-api',
    From: call.from,
    To: call.to,
  };
}

/** The form Twilio sends to a call's `Url` when the callee answers, to get the TwiML to run. */
export function voiceRequestForm(call: CallParties): Record<string, string> {
  return callFields(call, 'in-progress');
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
