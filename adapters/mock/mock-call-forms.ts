import { CALL_STATUSES, type CallStatus, type CallStatusUpdate } from '../../ports/calls.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';

// Demo clients post Twilio's call status fields, so a Twilio-shaped test client works against demo mode.

type Params = WebhookRequest['params'];

function field(params: Params, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function invalid(message: string, nextStep: string, details: Record<string, string>): DomainError {
  return new DomainError('INVALID_INPUT', message, nextStep, details);
}

function isCallStatus(value: string): value is CallStatus {
  return (CALL_STATUSES as readonly string[]).includes(value);
}

function micros(value: string | undefined): number | null {
  const match = value === undefined ? null : /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const amount = Number(match[2]) * 1_000_000 + Number((match[3] ?? '').padEnd(6, '0').slice(0, 6));
  return match[1] === '-' ? -amount : amount;
}

export function parseMockCallStatus(request: WebhookRequest): CallStatusUpdate {
  const { params } = request;
  const providerCallId = field(params, 'CallSid');
  if (providerCallId === undefined) {
    throw invalid('The demo call status webhook has no CallSid.', 'Post a form with CallSid and CallStatus (the fields Twilio sends).', { missingField: 'CallSid' });
  }
  const status = field(params, 'CallStatus');
  if (status === undefined) {
    throw invalid('The demo call status webhook has no CallStatus.', 'Post a form with CallSid and CallStatus (the fields Twilio sends).', { missingField: 'CallStatus' });
  }
  if (!isCallStatus(status)) {
    throw invalid(`The demo call status webhook reports an unknown status "${status.slice(0, 40)}".`, `Use one of: ${CALL_STATUSES.join(', ')}.`, {
      providerStatus: status.slice(0, 40),
    });
  }
  const duration = field(params, 'CallDuration');
  const timestamp = Date.parse(field(params, 'Timestamp') ?? '');
  const priceMicros = micros(field(params, 'Price'));
  return {
    providerCallId,
    status,
    durationSeconds: duration !== undefined && /^\d+$/.test(duration) ? Number(duration) : null,
    priceMicros,
    currency: priceMicros === null ? null : (field(params, 'PriceUnit') ?? 'USD').toUpperCase(),
    occurredAt: Number.isNaN(timestamp) ? null : new Date(timestamp),
  };
}
