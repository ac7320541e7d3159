import type { CallStatusUpdate } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';
import { mapTwilioCallStatus } from './twilio-call-status.js';

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function invalid(message: string, details: Record<string, string>): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    message,
    'Only Twilio should call this URL, as the StatusCallback of a call; check what posted it.',
    details,
  );
}

function required(params: Params, name: string): string {
  const value = field(params, name);
  if (value === undefined) throw invalid(`The Twilio call status webhook has no ${name}.`, { missingField: name });
  return value;
}

/** Whole seconds; Twilio sends `CallDuration` only with the final status. */
function seconds(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** A decimal amount (`-0.01400`) in micro-units, without going through floating point. */
export function decimalToMicros(value: string | null | undefined): number | null {
  const match = value === undefined || value === null ? null : /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return null;
  const [, sign, whole = '0', fraction = ''] = match;
  const micros = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
  return sign === '-' ? -micros : micros;
}

function date(value: string | undefined): Date | null {
  if (value === undefined) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}

/** A call StatusCallback (form POST): CallSid, CallStatus, and on the final one CallDuration. */
export function parseTwilioCallStatus(request: WebhookRequest): CallStatusUpdate {
  const { params } = request;
  const providerCallId = required(params, 'CallSid');
  const providerStatus = required(params, 'CallStatus');
  const status = mapTwilioCallStatus(providerStatus);
  if (!status) {
    throw invalid(`The Twilio call status webhook reports an unknown status "${providerStatus.slice(0, 40)}".`, {
      providerStatus: providerStatus.slice(0, 40),
    });
  }
  const priceMicros = decimalToMicros(field(params, 'Price'));
  // Our number is the callee of an inbound call, the caller of an outbound one (outbound-api, outbound-dial).
  const agentNumber = field(params, 'Direction') === 'inbound' ? field(params, 'To') : field(params, 'From');
  return {
    providerCallId,
    status,
    durationSeconds: seconds(field(params, 'CallDuration')),
    priceMicros,
    currency: priceMicros === null ? null : (field(params, 'PriceUnit') ?? 'USD').toUpperCase(),
    occurredAt: date(field(params, 'Timestamp')),
    agentNumber: agentNumber ?? null,
  };
}

/** A resource's `price` and `price_unit` (the SDK's `price`, `priceUnit`), or null while Twilio has not priced it. */
export function resourcePrice(resource: { price?: string | null; priceUnit?: string | null }): { priceMicros: number; currency: string } | null {
  const priceMicros = decimalToMicros(resource.price);
  return priceMicros === null ? null : { priceMicros, currency: (resource.priceUnit ?? 'USD').toUpperCase() };
}
