import type { ErrorResponse } from 'resend';
import { DomainError, type ErrorDetails } from '../../ports/errors.js';

/** A failed SDK call: the SDK returns `{ error, headers }` instead of throwing; `timedOut` is our own abort. */
export interface ResendFailure {
  error: Pick<ErrorResponse, 'message' | 'name'> & { statusCode: number | null };
  headers: Record<string, string> | null;
  timedOut: boolean;
  /** The Idempotency-Key the call carried, if any: it changes what a caller may safely do next. */
  idempotencyKey?: string;
}

const AUTH_NAMES = new Set(['missing_api_key', 'invalid_api_key', 'restricted_api_key']);
const QUOTA_NAMES = new Set(['daily_quota_exceeded', 'monthly_quota_exceeded']);
/** A refusal naming one of these fields (Resend: "Invalid `to` field …") is about an address. */
const ADDRESS_FIELD = /`(from|to|cc|bcc|reply_to|replyTo)`/;

/** Seconds from `Retry-After`, which may be delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Builds the error mapping of one adapter instance; `secret` is scrubbed from anything that reaches a message. */
export function resendErrorMapper(secret: string, timeoutMs: number, now: () => Date) {
  const scrub = (text: string) => (secret ? text.split(secret).join('[redacted]') : text);

  return function toDomainError(failure: ResendFailure): DomainError {
    const { error, headers, timedOut, idempotencyKey } = failure;
    const status = error.statusCode;
    const details: ErrorDetails = { provider: 'resend', providerStatus: status, providerCode: error.name };
    const resendSays = scrub(error.message || `HTTP ${status ?? 'error'}`).slice(0, 300);

    if (timedOut) {
      return new DomainError(
        'PROVIDER_TIMEOUT',
        `Resend did not answer within ${timeoutMs} ms.`,
        idempotencyKey
          ? 'Send again with the same idempotency key: Resend sends a keyed email at most once within 24 hours.'
          : 'The email may or may not have been sent: check before sending again, or send with an idempotency key so a retry cannot send it twice.',
        { provider: 'resend', timeoutMs },
      );
    }
    if (status === null) {
      if (error.name === 'application_error') {
        return new DomainError(
          'PROVIDER_UNAVAILABLE',
          'Could not reach Resend (the connection failed or was cut).',
          'Retry in a little while; if it persists, check the network, the baseUrl of the email options and https://resend-status.com.',
          { provider: 'resend' },
        );
      }
      return new DomainError('INVALID_INPUT', `The Resend SDK refused the request: ${resendSays}.`, 'Fix the request before trying again.', details);
    }
    if (status === 401 || AUTH_NAMES.has(error.name)) {
      return new DomainError(
        'PROVIDER_AUTH_FAILED',
        `Resend refused the API key (${error.name}).`,
        error.name === 'restricted_api_key'
          ? 'Use a Resend API key with full access (a sending-only key cannot read received mail); retrying will not help until the key is changed.'
          : 'Check the apiKey of the email options (RESEND_API_KEY); retrying will not help until it is fixed.',
        details,
      );
    }
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(headers?.['retry-after'], now());
      const quota = QUOTA_NAMES.has(error.name);
      return new DomainError(
        'RATE_LIMITED',
        quota ? `Resend's sending quota is used up (${error.name}).` : 'Resend asked us to slow down (HTTP 429).',
        retryAfterSeconds !== null
          ? `Wait ${retryAfterSeconds} seconds, then send again.`
          : quota
            ? 'Wait until the quota resets (daily or monthly), or raise the plan\'s quota in the Resend dashboard.'
            : 'Wait a second, then send again more slowly (Resend allows a few requests per second per team).',
        { ...details, retryAfterSeconds: retryAfterSeconds ?? undefined },
      );
    }
    if (status >= 500) {
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Resend is failing (HTTP ${status}); the email was not accepted.`,
        'Retry in a little while; if it persists, check https://resend-status.com.',
        details,
      );
    }
    if (error.name === 'invalid_idempotent_request') {
      return new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'Resend already used this idempotency key for a different email.',
        'Use a new idempotency key for a new email; reuse a key only to retry exactly the same email.',
        details,
      );
    }
    if (error.name === 'concurrent_idempotent_requests') {
      return new DomainError(
        'IDEMPOTENCY_IN_PROGRESS',
        'Resend is still sending an email with this idempotency key.',
        'Wait a moment, then retry with the same key to get its result.',
        details,
      );
    }
    if (error.name === 'invalid_idempotency_key') {
      return new DomainError('INVALID_INPUT', 'Resend refused the idempotency key (it must be 1–256 characters).', 'Use a shorter idempotency key.', details);
    }
    const field = ADDRESS_FIELD.exec(error.message)?.[1];
    if (error.name === 'invalid_from_address' || (status === 422 && error.name === 'validation_error' && field !== undefined)) {
      return new DomainError(
        'INVALID_EMAIL_ADDRESS',
        `Resend refused an address: ${resendSays}`,
        (field ?? 'from') === 'from'
          ? 'Check the sending address of this agent\'s email channel (email@example.com or Name <email@example.com>, on a domain verified in Resend).'
          : 'Check every recipient address (email@example.com or Name <email@example.com>); do not retry unchanged.',
        { ...details, field: field ?? 'from' },
      );
    }
    if (status === 403) {
      return new DomainError(
        'PROVIDER_REJECTED',
        `Resend refused to send: ${resendSays}`,
        'Verify the sending domain at https://resend.com/domains (or send only to your own address while testing), then try again.',
        details,
      );
    }
    return new DomainError(
      'PROVIDER_REJECTED',
      `Resend refused the email: ${resendSays}`,
      'Fix the request before trying again (see https://resend.com/docs/api-reference/errors); sending it unchanged will fail the same way.',
      details,
    );
  };
}
