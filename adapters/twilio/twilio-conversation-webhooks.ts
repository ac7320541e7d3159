import type { IncomingCall } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function required(params: Params, name: string, what: string, nextStep: string): string {
  const value = field(params, name);
  if (value !== undefined) return value;
  throw new DomainError('INVALID_INPUT', `The Twilio ${what} webhook has no ${name}.`, nextStep, { missingField: name });
}

const INCOMING_NEXT_STEP = 'Only Twilio should call this URL, as the voice webhook ("A call comes in") of the agent\'s number.';
const ACTION_NEXT_STEP = 'Only Twilio should call this URL, as the <Connect action> of a conversation.';

/** The voice webhook of an incoming call (form POST): CallSid, From, To (also CallStatus=ringing, Direction=inbound). */
export function parseTwilioIncomingCall(request: WebhookRequest): IncomingCall {
  const { params } = request;
  return {
    providerCallId: required(params, 'CallSid', 'incoming call', INCOMING_NEXT_STEP),
    from: required(params, 'From', 'incoming call', INCOMING_NEXT_STEP),
    to: required(params, 'To', 'incoming call', INCOMING_NEXT_STEP),
  };
}

/**
 * The `<Connect action>` request Twilio sends when a ConversationRelay session ends. Besides the usual call fields
 * (CallSid, CallStatus, From, To, Direction, AccountSid) it carries SessionId, SessionStatus, SessionDuration and,
 * when our socket ended the session with `{"type":"end","handoffData":…}`, HandoffData: that string, as sent.
 * Only CallSid and HandoffData are read: without HandoffData the session ended some other way (the caller hung up,
 * or the socket failed), and core then only hangs up, whatever SessionStatus says.
 */
export function parseTwilioConversationEnd(request: WebhookRequest): { providerCallId: string; handoffData: string | null } {
  const { params } = request;
  return {
    providerCallId: required(params, 'CallSid', 'conversation end', ACTION_NEXT_STEP),
    handoffData: field(params, 'HandoffData') ?? null,
  };
}
