import { type AnsweredBy, type CallStatus, type CallStatusUpdate, type IncomingCall } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { e164 } from './vonage-numbers.js';

/**
 * Voice API event statuses, mapped to ours. `machine`/`human` (answering-machine detection) and `disconnected`
 * (a leg left a conversation) happen on an answered call: they move nothing forward.
 */
const VONAGE_CALL_STATUS: Readonly<Record<string, CallStatus>> = {
  started: 'initiated',
  ringing: 'ringing',
  answered: 'in-progress',
  machine: 'in-progress',
  human: 'in-progress',
  disconnected: 'in-progress',
  completed: 'completed',
  busy: 'busy',
  cancelled: 'canceled',
  unanswered: 'no-answer',
  timeout: 'no-answer',
  rejected: 'failed',
  failed: 'failed',
};

type Json = Record<string, unknown>;

/** A Voice API call status as ours; null for one this adapter does not know. */
export function mapVonageCallStatus(status: string): CallStatus | null {
  return VONAGE_CALL_STATUS[status] ?? null;
}

function invalid(message: string, missingField?: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    message,
    'Only Vonage should call this URL: check the answer and event URLs of the Vonage application (POST, JSON).',
    { provider: 'vonage', missingField },
  );
}

function body(request: WebhookRequest, what: string): Json {
  try {
    const parsed = JSON.parse(request.rawBody) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Json;
  } catch {
    // refused below
  }
  throw invalid(`The Vonage ${what} webhook body is not a JSON object.`);
}

function required(fields: Json, name: string, what: string): string {
  const value = fields[name];
  if (typeof value === 'string' && value !== '') return value;
  throw invalid(`The Vonage ${what} webhook has no ${name}.`, name);
}

function optional(fields: Json, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A decimal amount (`0.00210000`) in micro-units, without going through floating point. */
function micros(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

/**
 * A Voice API event webhook (POST JSON): uuid, status, direction, from, to, timestamp; the final `completed` also
 * carries duration and price (charged, so reported negative as the port's prices are).
 */
export function parseVonageCallEvent(request: WebhookRequest, currency: string): CallStatusUpdate {
  const fields = body(request, 'call event');
  const providerCallId = required(fields, 'uuid', 'call event');
  const providerStatus = required(fields, 'status', 'call event');
  const status = mapVonageCallStatus(providerStatus);
  if (!status) throw invalid(`The Vonage call event reports an unknown status "${providerStatus.slice(0, 40)}".`);
  const duration = optional(fields, 'duration');
  const price = micros(optional(fields, 'price'));
  const timestamp = Date.parse(optional(fields, 'timestamp') ?? '');
  const own = fields.direction === 'inbound' ? optional(fields, 'to') : optional(fields, 'from');
  const answeredBy = detectionResult(providerStatus, optional(fields, 'sub_state'));
  return {
    ...(answeredBy ? { answeredBy } : {}),
    providerCallId,
    status,
    durationSeconds: duration !== undefined && /^\d+$/.test(duration) ? Number(duration) : null,
    priceMicros: price === null ? null : -price,
    currency: price === null ? null : currency,
    occurredAt: Number.isNaN(timestamp) ? null : new Date(timestamp),
    agentNumber: own ? e164(own) : null,
  };
}

/**
 * Advanced machine detection (`detect_beep`) as events: `human`, or `machine` first when the greeting is recognised
 * and again with `sub_state` `beep_start` when its beep sounds (`beep_timeout` when none came in time). A message
 * is left after the beep, so a machine counts once its beep (or the wait for it) is over.
 */
function detectionResult(status: string, subState: string | undefined): AnsweredBy | null {
  if (status === 'human') return 'human';
  if (status === 'machine' && (subState === 'beep_start' || subState === 'beep_timeout')) return 'machine';
  return null;
}

/** The answer webhook of an incoming call (POST JSON): uuid, from, to. */
export function parseVonageIncomingCall(request: WebhookRequest): IncomingCall {
  const fields = body(request, 'answer');
  return {
    providerCallId: required(fields, 'uuid', 'answer'),
    from: e164(required(fields, 'from', 'answer')),
    to: e164(required(fields, 'to', 'answer')),
  };
}

/** The `notify` action's webhook (POST JSON): the call's uuid, and the payload the NCCO gave it. */
export function parseVonageNotify(request: WebhookRequest): { uuid: string } {
  const fields = body(request, 'notify');
  return { uuid: required(fields, 'uuid', 'notify') };
}
