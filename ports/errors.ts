/**
 * The one error type that crosses layers. Hosts map `code` to the wire (HTTP status, MCP isError,
 * WebSocket close code) in a single table; callers and tests branch on `code`, never on message text.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'BODY_TOO_LARGE',
  'INVALID_PHONE_NUMBER',
  'INVALID_EMAIL_ADDRESS',
  'UNKNOWN_VOICE',
  'TEMPLATE_REQUIRED',
  'INVALID_SIGNATURE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'OPERATOR_ONLY',
  'INSUFFICIENT_SCOPE',
  'TOKEN_NOT_MAPPED',
  'ORIGIN_NOT_ALLOWED',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
  'CHANNEL_NOT_CONFIGURED',
  'PROVISIONING_UNSUPPORTED',
  'NUMBER_UNAVAILABLE',
  'WHATSAPP_POOL_EMPTY',
  'SUBACCOUNTS_UNAVAILABLE',
  'SHARED_NUMBER_UNROUTED',
  'SCENARIOS_NOT_ALLOWED',
  'SCENARIO_CHECK_FAILED',
  'REQUEST_ID_IN_FLIGHT',
  'SESSION_LIMIT_REACHED',
  'SESSION_CLOSED',
  'RESPONSE_TIMEOUT',
  'REQUEST_CANCELLED',
  'RATE_LIMITED',
  'AUTH_LOCKED_OUT',
  'IP_NOT_ALLOWED',
  'SERVER_OVERLOADED',
  'SPENDING_CAP_REACHED',
  'CONTACT_LIMIT_REACHED',
  'AGENT_SUSPENDED',
  'OPTED_OUT',
  'DO_NOT_CONTACT',
  'QUIET_HOURS',
  'CONSENT_REQUIRED',
  'CONFIRMATION_REQUIRED',
  'CONFIRMATION_DECLINED',
  'CONTENT_BLOCKED',
  'PROVIDER_REJECTED',
  'PROVIDER_AUTH_FAILED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'AUTHORIZATION_SERVER_UNAVAILABLE',
  'CONFIG_INVALID',
  'CREDENTIALS_KEY_MISSING',
  'CREDENTIALS_KEY_INVALID',
  'CREDENTIALS_KEY_UNKNOWN',
  'CREDENTIALS_TAMPERED',
  'PLUGIN_INVALID',
  'SETUP_ANSWER_MISSING',
  'PUBLIC_URL_UNREACHABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Safe, serialisable facts about the failure: never secrets, tokens or message bodies. */
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the caller should do next, phrased for an AI agent or an operator. */
    readonly nextStep?: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** True for errors that carry a stable code (works across module copies, unlike instanceof). */
export function isDomainError(err: unknown): err is DomainError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'DomainError' &&
    typeof (err as { code?: unknown }).code === 'string'
  );
}

/** Provider failures a caller may retry (nothing reached the provider, or it asked us to wait). */
export function isRetryableCode(code: string | null): boolean {
  return code === 'PROVIDER_UNAVAILABLE' || code === 'RATE_LIMITED';
}

/** A code read back from storage, narrowed to a known one. */
export function asErrorCode(code: string | null): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : 'INTERNAL';
}
