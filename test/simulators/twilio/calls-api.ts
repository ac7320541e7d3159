import { allValues, firstValue, type FormParams } from './form-params.js';
import type { ApiAnswer } from './messages-api.js';
import { bareNumber, isE164, type SimulatedAccount } from './simulated-account.js';
import { toCallResource, type SimulatedCall } from './twilio-call-resource.js';
import { twilioCallErrors, twilioErrors, type TwilioErrorBody } from './twilio-error-body.js';
import { newSid } from './twilio-message-resource.js';

/** Twilio refuses inline TwiML longer than this (error 32018). */
export const MAX_TWIML_LENGTH = 4000;
const DEFAULT_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 600;
const FINAL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** What an accepted update asks of the live call; the simulator's far side carries it out. */
export type CallChange =
  | { kind: 'hang-up' }
  | { kind: 'cancel' }
  | { kind: 'new-instructions'; twiml: string | null; url: string | null; method: 'GET' | 'POST' }
  | { kind: 'none' };

function refused(error: TwilioErrorBody): ApiAnswer {
  return { status: error.status, body: error };
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && hostname.length > 0 && !hostname.includes('_');
}

function httpMethod(params: FormParams, name: string): 'GET' | 'POST' | TwilioErrorBody {
  const value = firstValue(params, name);
  if (value === undefined || value === '') return 'POST';
  const upper = value.toUpperCase();
  return upper === 'GET' || upper === 'POST' ? upper : twilioCallErrors.invalidMethod(name, value);
}

export function isFinalCallStatus(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

/** The Calls resource of API v2010: create, fetch and update, with Twilio's validation rules. */
export class SimulatedCallsApi {
  constructor(
    private readonly account: SimulatedAccount,
    private readonly now: () => Date,
    /** Every call placed, oldest first. */
    readonly calls: SimulatedCall[],
  ) {}

  create(params: FormParams): { answer: ApiAnswer; accepted: SimulatedCall | null } {
    const rejected = (error: TwilioErrorBody) => ({ answer: refused(error), accepted: null });
    const to = firstValue(params, 'To');
    if (!to) return rejected(twilioCallErrors.missingTo());
    if (!isE164(to)) return rejected(twilioCallErrors.invalidTo(to));
    const from = firstValue(params, 'From');
    if (!from) return rejected(twilioCallErrors.missingFrom());
    if (!isE164(from)) return rejected(twilioCallErrors.invalidFrom(from));
    if (!this.account.ownedNumbers.has(bareNumber(from))) return rejected(twilioCallErrors.fromNotOwned(from));

    // Twiml wins over Url when both are given, as documented.
    const twiml = firstValue(params, 'Twiml') || null;
    const url = twiml ? null : firstValue(params, 'Url') || null;
    const applicationSid = firstValue(params, 'ApplicationSid') || null;
    if (!twiml && !url && !applicationSid) return rejected(twilioCallErrors.missingUrl());
    if (url && !isHttpUrl(url)) return rejected(twilioCallErrors.invalidUrl(url));
    if (twiml && twiml.length > MAX_TWIML_LENGTH) return rejected(twilioCallErrors.twimlTooLong());
    const statusCallback = firstValue(params, 'StatusCallback') || null;
    if (statusCallback && !isHttpUrl(statusCallback)) return rejected(twilioCallErrors.invalidStatusCallback(statusCallback));
    const method = httpMethod(params, 'Method');
    if (typeof method !== 'string') return rejected(method);
    const statusCallbackMethod = httpMethod(params, 'StatusCallbackMethod');
    if (typeof statusCallbackMethod !== 'string') return rejected(statusCallbackMethod);

    const refusal = this.account.refusedCallDestinations[bareNumber(to)];
    if (refusal !== undefined) return rejected(twilioCallErrors.refusedTo(refusal, to));

    const requestedTimeout = Number(firstValue(params, 'Timeout') ?? DEFAULT_TIMEOUT_SECONDS);
    const events = allValues(params, 'StatusCallbackEvent').flatMap((value) => value.split(/\s+/)).filter(Boolean);
    const now = this.now();
    const call: SimulatedCall = {
      sid: newSid('CA'),
      accountSid: this.account.accountSid,
      from,
      to,
      direction: 'outbound-api',
      // An Application's VoiceUrl is not simulated: such a call is answered with an empty document.
      twiml: twiml ?? (url ? null : '<Response/>'),
      url,
      method,
      statusCallback,
      statusCallbackMethod,
      // Without StatusCallbackEvent Twilio reports only the end of the call.
      statusCallbackEvents: events.length > 0 ? events : ['completed'],
      // Twilio caps the ring time at 600 s rather than refusing a longer one.
      timeoutSeconds: Number.isInteger(requestedTimeout) && requestedTimeout > 0
        ? Math.min(requestedTimeout, MAX_TIMEOUT_SECONDS)
        : DEFAULT_TIMEOUT_SECONDS,
      machineDetection: firstValue(params, 'MachineDetection') || null,
      record: firstValue(params, 'Record') === 'true',
      recordingCallback: null,
      answeredBy: null,
      detectedAfterSeconds: null,
      status: 'queued',
      played: [],
      said: [],
      dialed: [],
      durationSeconds: null,
      price: null,
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
    };
    this.calls.push(call);
    return { answer: { status: 201, body: toCallResource(call) }, accepted: call };
  }

  /** A call coming in from `from` to one of the account's numbers: it rings while Twilio asks for its TwiML. */
  receive(from: string, to: string, url: string): SimulatedCall {
    const now = this.now();
    const call: SimulatedCall = {
      sid: newSid('CA'),
      // The number's holder: a call to a number moved into a subaccount is the subaccount's.
      accountSid: this.account.holderOf(to),
      from,
      to,
      direction: 'inbound',
      twiml: null,
      url,
      method: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
      // A number's status callback reports only the end of a call.
      statusCallbackEvents: ['completed'],
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      machineDetection: null,
      record: false,
      recordingCallback: null,
      answeredBy: null,
      detectedAfterSeconds: null,
      status: 'ringing',
      played: [],
      said: [],
      dialed: [],
      durationSeconds: null,
      price: null,
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
    };
    this.calls.push(call);
    return call;
  }

  find(sid: string): SimulatedCall | undefined {
    return this.calls.find((c) => c.sid === sid);
  }

  fetch(path: string, sid: string): ApiAnswer {
    const call = this.find(sid);
    if (!call) return refused(twilioErrors.notFound(path));
    return { status: 200, body: toCallResource(call) };
  }

  /**
   * Validates a live-call update. `Status=completed` hangs up an answered call and cancels one that is
   * still queued or ringing; `Status=canceled` only cancels (an answered call is left alone); `Twiml`/`Url`
   * replace the instructions. A call that has ended refuses every change with 21220.
   */
  update(path: string, sid: string, params: FormParams): { answer: ApiAnswer | null; call: SimulatedCall | null; change: CallChange } {
    const none: CallChange = { kind: 'none' };
    const call = this.find(sid);
    if (!call) return { answer: refused(twilioErrors.notFound(path)), call: null, change: none };
    if (isFinalCallStatus(call.status)) return { answer: refused(twilioCallErrors.notInProgress()), call, change: none };

    const statusCallback = firstValue(params, 'StatusCallback');
    if (statusCallback && !isHttpUrl(statusCallback)) {
      return { answer: refused(twilioCallErrors.invalidStatusCallback(statusCallback)), call, change: none };
    }
    const status = firstValue(params, 'Status');
    if (status !== undefined && status !== 'completed' && status !== 'canceled') {
      return { answer: refused(twilioCallErrors.invalidUpdateStatus(status)), call, change: none };
    }
    const answered = call.status === 'in-progress';
    if (status === 'completed') return { answer: null, call, change: answered ? { kind: 'hang-up' } : { kind: 'cancel' } };
    if (status === 'canceled') return { answer: null, call, change: answered ? none : { kind: 'cancel' } };

    const twiml = firstValue(params, 'Twiml') || null;
    const url = twiml ? null : firstValue(params, 'Url') || null;
    if (url && !isHttpUrl(url)) return { answer: refused(twilioCallErrors.invalidUrl(url)), call, change: none };
    if (twiml && twiml.length > MAX_TWIML_LENGTH) return { answer: refused(twilioCallErrors.twimlTooLong()), call, change: none };
    const method = httpMethod(params, 'Method');
    if (typeof method !== 'string') return { answer: refused(method), call, change: none };
    if (statusCallback) call.statusCallback = statusCallback;
    if (!twiml && !url) return { answer: null, call, change: none };
    return { answer: null, call, change: { kind: 'new-instructions', twiml, url, method } };
  }

  /** Moves a call along its lifecycle (the far side's progress). */
  advance(call: SimulatedCall, status: string): void {
    call.status = status;
    call.dateUpdated = this.now();
  }
}
