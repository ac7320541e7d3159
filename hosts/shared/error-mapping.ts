import { DomainError, isDomainError, type ErrorCode } from '../../ports/errors.js';

/** The one table from error codes to HTTP statuses (and, through them, to every other wire). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  BODY_TOO_LARGE: 413,
  INVALID_PHONE_NUMBER: 400,
  INVALID_EMAIL_ADDRESS: 400,
  UNKNOWN_VOICE: 400,
  TEMPLATE_REQUIRED: 422,
  INVALID_SIGNATURE: 403,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  OPERATOR_ONLY: 403,
  INSUFFICIENT_SCOPE: 403,
  TOKEN_NOT_MAPPED: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  CHANNEL_NOT_CONFIGURED: 422,
  PROVISIONING_UNSUPPORTED: 422,
  NUMBER_UNAVAILABLE: 409,
  WHATSAPP_POOL_EMPTY: 409,
  SUBACCOUNTS_UNAVAILABLE: 422,
  // The number is ours but nobody answers on it for this contact: the provider should not retry.
  SHARED_NUMBER_UNROUTED: 404,
  SCENARIOS_NOT_ALLOWED: 403,
  // Only ever a failed scenario step's code, inside a 200 report: never an HTTP answer of its own.
  SCENARIO_CHECK_FAILED: 500,
  REQUEST_ID_IN_FLIGHT: 409,
  SESSION_LIMIT_REACHED: 429,
  SESSION_CLOSED: 404,
  RESPONSE_TIMEOUT: 504,
  // The client is gone: nobody reads this answer, it ends the request's bookkeeping.
  REQUEST_CANCELLED: 408,
  RATE_LIMITED: 429,
  AUTH_LOCKED_OUT: 429,
  IP_NOT_ALLOWED: 403,
  SERVER_OVERLOADED: 503,
  SPENDING_CAP_REACHED: 429,
  CONTACT_LIMIT_REACHED: 429,
  AGENT_SUSPENDED: 403,
  OPTED_OUT: 403,
  DO_NOT_CONTACT: 403,
  QUIET_HOURS: 409,
  CONSENT_REQUIRED: 403,
  // 428 Precondition Required: the request is fine, it lacks the person's approval (`confirm`).
  CONFIRMATION_REQUIRED: 428,
  CONFIRMATION_DECLINED: 403,
  CONTENT_BLOCKED: 422,
  PROVIDER_REJECTED: 502,
  PROVIDER_AUTH_FAILED: 502,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
  AUTHORIZATION_SERVER_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  CREDENTIALS_KEY_MISSING: 500,
  CREDENTIALS_KEY_INVALID: 500,
  CREDENTIALS_KEY_UNKNOWN: 500,
  CREDENTIALS_TAMPERED: 500,
  PLUGIN_INVALID: 500,
  SETUP_ANSWER_MISSING: 400,
  // The URL is well formed but does not lead back to this server.
  PUBLIC_URL_UNREACHABLE: 422,
  INTERNAL: 500,
};

/** Each HTTP status an error can answer, lowest first, with the codes that map to it. */
export function codesByHttpStatus(): Array<[status: number, codes: ErrorCode[]]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const [code, status] of Object.entries(HTTP_STATUS) as Array<[ErrorCode, number]>) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  return [...byStatus].sort(([a], [b]) => a - b);
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; nextStep: string | null; details: DomainError['details'] };
}

/** Any thrown value as a DomainError; unknown failures become INTERNAL without leaking their text. */
export function toDomainError(err: unknown): DomainError {
  if (isDomainError(err)) return err;
  return new DomainError('INTERNAL', 'Internal error.', 'Retry later; if it persists, report it with the request id.');
}

export function errorBody(err: DomainError): ErrorBody {
  return { error: { code: err.code, message: err.message, nextStep: err.nextStep ?? null, details: err.details } };
}
