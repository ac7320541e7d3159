import twilio from 'twilio';
import type { AnsweredBy, AnswerScript } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { scriptTwiml } from './twilio-call-twiml.js';
import { hangupTwiml } from './twilio-conversation-twiml.js';

/**
 * Twilio's `AnsweredBy` values with `MachineDetection=DetectMessageEnd`: `machine_end_beep`, `machine_end_silence`,
 * `machine_end_other` (the greeting is over), `machine_start`, `human`, `fax`, `unknown`.
 */
export function mapAnsweredBy(value: string | undefined): AnsweredBy {
  if (value === 'human' || value === 'fax') return value;
  if (value?.startsWith('machine')) return 'machine';
  return 'unknown';
}

function field(params: WebhookRequest['params'], name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** The request for the TwiML of a call placed with machine detection: its CallSid and AnsweredBy. */
export function parseTwilioAnsweredCall(request: WebhookRequest): { providerCallId: string; answeredBy: AnsweredBy } {
  const callSid = field(request.params, 'CallSid');
  if (!callSid) {
    throw new DomainError('INVALID_INPUT', 'The Twilio answer webhook has no CallSid.', 'Only Twilio should call this URL, as the Url of a call placed with machine detection.', { provider: 'twilio' });
  }
  return { providerCallId: callSid, answeredBy: mapAnsweredBy(field(request.params, 'AnsweredBy')) };
}

/** TwiML for what an answered call does: its script, a spoken message then hang-up, or hang up. */
export function answerTwiml(script: AnswerScript): string {
  if (script.kind === 'hangup') return hangupTwiml();
  if (script.kind === 'say') {
    const response = new twilio.twiml.VoiceResponse();
    response.say(script.language ? { language: script.language as never } : {}, script.text);
    response.hangup();
    return response.toString();
  }
  return scriptTwiml(script);
}
