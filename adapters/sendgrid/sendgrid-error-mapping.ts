import { DomainError, type ErrorDetails } from '../../ports/errors.js';

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
/** SendGrid was never reached: nothing can have been accepted, a retry is safe. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);
/** The connection broke after the request went out: SendGrid may have accepted it (no idempotency key). */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKET_CLOSED', 'ERR_BAD_RESPONSE']);
const MAYBE_SENT = 'The mail may or may not have been sent: check its status before sending again; SendGrid has no idempotency key.';

/** A Mail Send error body: `{ errors: [{ message, field, help }] }`. */
interface SendGridErrors {
  errors?: Array<{ message?: unknown; field?: unknown }>;
}

interface ResponseFailure {
  status: number;
  headers: Record<string, unknown>;
  errors: Array<{ message: string; field: string | null }>;
}

function responseFailure(err: unknown): ResponseFailure | null {
  const { code, response } = (err ?? {}) as { code?: unknown; response?: { headers?: unknown; body?: unknown } };
  if (typeof code !== 'number' || typeof response !== 'object' || response === null) return null;
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as SendGridErrors;
  const errors = (Array.isArray(body.errors) ? body.errors : []).map((e) => ({
    message: typeof e.message === 'string' ? e.message : '',
    field: typeof e.field === 'string' ? e.field : null,
  }));
  return { status: code, headers: (response.headers ?? {}) as Record<string, unknown>, errors };
}

function header(headers: Record<string, unknown>, name: string): string | null {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/** SendGrid announces when a rate limit resets as epoch seconds (`X-RateLimit-Reset`), sometimes as `Retry-After`. */
function retryAfterSeconds(headers: Record<string, unknown>, now: Date): number | null {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter && /^\d+$/.test(retryAfter)) return Number(retryAfter);
  const reset = header(headers, 'x-ratelimit-reset');
  if (!reset || !/^\d+$/.test(reset)) return null;
  return Math.max(0, Number(reset) - Math.floor(now.getTime() / 1000));
}

/** Builds the error mapping of one adapter instance; its secrets are scrubbed from anything that reaches a message. */
export function sendGridErrorMapper(options: { secrets: readonly string[]; timeoutMs: number; now: () => Date }) {
  const scrub = (value: string) => options.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), value).slice(0, 300);

  function fromResponse({ status, headers, errors }: ResponseFailure): DomainError {
    const fields = errors.map((e) => e.field).filter((f): f is string => f !== null);
    const details: ErrorDetails = { provider: 'sendgrid', providerStatus: status, fields: fields.length > 0 ? fields.join(',') : undefined };
    const sendGridSays = scrub(errors.map((e) => e.message).filter(Boolean).join('; ') || `HTTP ${status}`);
    if (status === 401) {
      return new DomainError('PROVIDER_AUTH_FAILED', 'SendGrid refused the API key (HTTP 401).', 'Check apiKey of the email options (SENDGRID_API_KEY); retrying will not help until it is fixed.', details);
    }
    if (status === 429) {
      const seconds = retryAfterSeconds(headers, options.now());
      return new DomainError(
        'RATE_LIMITED', 'SendGrid asked us to slow down (HTTP 429).',
        seconds !== null ? `Wait ${seconds} seconds, then send again.` : 'Wait a little, then send again more slowly.',
        { ...details, retryAfterSeconds: seconds ?? undefined },
      );
    }
    if (status >= 500) {
      return new DomainError('PROVIDER_UNAVAILABLE', `SendGrid is failing (HTTP ${status}); the mail was not accepted.`, 'Retry in a little while; if it persists, check https://status.sendgrid.com.', details);
    }
    if (fields.some((f) => /(^|\.)(to|cc|bcc)\.\d+\.email$|^reply_to/.test(f))) {
      return new DomainError('INVALID_EMAIL_ADDRESS', `SendGrid refused an address: ${sendGridSays}`, 'Check the recipient addresses; do not retry the same address.', details);
    }
    return new DomainError(
      'PROVIDER_REJECTED',
      `SendGrid refused the mail: ${sendGridSays}`,
      status === 403
        ? 'The sending address must be a verified Sender Identity (or on an authenticated domain) of the SendGrid account, and the key must have Mail Send access.'
        : 'Fix the request before trying again; sending it unchanged will fail the same way.',
      details,
    );
  }

  /** Any failure of a Mail Send call, as the `DomainError` the EmailPort documents. */
  return function toDomainError(err: unknown): DomainError {
    const response = responseFailure(err);
    if (response) return fromResponse(response);
    const { code = '', message = '' } = (err ?? {}) as { code?: unknown; message?: unknown };
    const networkCode = typeof code === 'string' ? code : '';
    const text = typeof message === 'string' ? message : '';
    if (TIMEOUT_CODES.has(networkCode) || /timeout/i.test(text)) {
      return new DomainError('PROVIDER_TIMEOUT', `SendGrid did not answer within ${options.timeoutMs} ms.`, MAYBE_SENT, { provider: 'sendgrid', timeoutMs: options.timeoutMs });
    }
    if (DROPPED_CODES.has(networkCode) || /socket hang up/i.test(text)) {
      return new DomainError('PROVIDER_TIMEOUT', `The connection to SendGrid dropped before it answered (${networkCode || 'socket hang up'}).`, MAYBE_SENT, { provider: 'sendgrid', networkError: networkCode || undefined });
    }
    if (UNREACHABLE_CODES.has(networkCode)) {
      return new DomainError('PROVIDER_UNAVAILABLE', `Could not reach SendGrid (${networkCode}).`, 'Retry in a little while; if it persists, check the network and the baseUrl of the email options.', { provider: 'sendgrid', networkError: networkCode });
    }
    return new DomainError('INTERNAL', 'Unexpected failure while calling SendGrid.', 'Report this to the server operator with the request id.', { provider: 'sendgrid', reason: scrub(text) || undefined });
  };
}
