import { DomainError, type ErrorDetails } from '../../ports/errors.js';
import { TwilioRateLimitResponse } from './base-url-request-client.js';

/** Twilio errors that mean "this phone number is wrong, or cannot take SMS or calls". */
const INVALID_NUMBER_CODES = new Set([21211, 21214, 21217, 21401, 21407, 21421, 21612, 21614]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Twilio was never reached: nothing can have been accepted, a retry is safe. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ERR_NETWORK']);
/**
 * The connection broke after the request went out: Twilio may have accepted it, and it has no
 * idempotency key, so this is reported like a timeout (a blind retry could send twice).
 */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKET_CLOSED', 'UND_ERR_SOCKET']);

/** Advice for refusals where the generic "fix the request" is not enough. */
const NEXT_STEP_BY_CODE: Readonly<Record<number, string>> = {
  21606: 'Send from a number this Twilio account owns and that can send SMS (or configure messagingServiceSid), then try again.',
  21603: 'Send from a number this Twilio account owns, or configure messagingServiceSid.',
  21610: 'The recipient has opted out (replied STOP). Do not message them again unless they reply START.',
  21617: 'Shorten the message to at most 1600 characters, or split it into several messages.',
  21602: 'Give the message a non-empty body.',
  21408: 'Enable SMS to this country in the Twilio console (Messaging geographic permissions), or use another destination.',
  30007: 'The carrier filtered the message as spam: rephrase it, and check the sender is registered (A2P 10DLC / toll-free verification).',
  21210: 'Call from a number this Twilio account owns (or has verified as an outgoing caller ID), then try again.',
  21212: 'Call from one of this account\'s numbers, in E.164 form (+ country code, digits only).',
  21215: 'Enable calls to this country in the Twilio console (Voice geographic permissions), or call another destination.',
  32018: 'Play fewer audio files or fewer loops: Twilio takes at most 4000 characters of call instructions.',
};

/** What the failed request was about, for messages that tell the caller what did or did not happen. */
export type TwilioSubject = 'message' | 'call' | 'number';

const NOT_ACCEPTED: Readonly<Record<TwilioSubject, string>> = {
  message: 'the message was not accepted',
  call: 'the call was not placed',
  number: 'nothing was bought or changed',
};

const MAYBE_ACCEPTED: Readonly<Record<TwilioSubject, string>> = {
  message: 'The message may or may not have been sent: check its status (or with the recipient) before sending again, because Twilio has no idempotency key and a retry can deliver it twice.',
  call: 'The call may or may not have been placed: check its status before calling again, because Twilio has no idempotency key and a retry can ring the person twice.',
  number: 'The number may or may not have been bought or changed: retry comms_provision_channels with the same idempotencyKey, which looks the number up before buying again.',
};

const SLOW_DOWN: Readonly<Record<TwilioSubject, string>> = {
  message: 'Wait a few seconds, then send again more slowly (about one SMS per second per long-code number).',
  call: 'Wait a few seconds, then call again more slowly (Twilio places about one call per second per account by default).',
  number: 'Wait a few seconds, then retry with the same idempotencyKey.',
};

interface TwilioRestFailure {
  status: number;
  code?: number;
  message?: string;
  moreInfo?: string;
}

function isRestFailure(err: unknown): err is TwilioRestFailure {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}

function stringProperty(err: unknown, key: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const value = (err as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** Builds the error mapping of one adapter instance; `secrets` are scrubbed from anything that reaches a message. */
export function twilioErrorMapper(secrets: readonly string[], timeoutMs: number) {
  const scrub = (text: string) => secrets.reduce((scrubbed, secret) => (secret ? scrubbed.split(secret).join('[redacted]') : scrubbed), text);

  function fromRestFailure(err: TwilioRestFailure, subject: TwilioSubject): DomainError {
    const code = typeof err.code === 'number' ? err.code : null;
    const details: ErrorDetails = {
      provider: 'twilio',
      providerStatus: err.status,
      providerCode: code,
      moreInfo: err.moreInfo ? scrub(err.moreInfo) : undefined,
    };
    const twilioSays = err.message ? scrub(err.message) : `HTTP ${err.status}`;

    if (err.status === 401 || code === 20003) {
      return new DomainError(
        'PROVIDER_AUTH_FAILED',
        'Twilio refused the account credentials (error 20003).',
        'Check the accountSid and authToken (or apiKeySid and apiKeySecret) of the telephony options (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN); retrying will not help until they are fixed.',
        details,
      );
    }
    if (code !== null && INVALID_NUMBER_CODES.has(code)) {
      return new DomainError(
        'INVALID_PHONE_NUMBER',
        `Twilio refused the phone number: ${twilioSays} (error ${code}).`,
        'Check that the destination is a reachable mobile number in E.164 form (+ country code, digits only); do not retry the same number.',
        details,
      );
    }
    if (code === 21610) {
      return new DomainError('OPTED_OUT', `Twilio refused the ${subject}: the recipient has opted out of messages from this number (error 21610).`, NEXT_STEP_BY_CODE[21610], details);
    }
    if (err.status === 429) return rateLimited(null, code, subject);
    if (err.status >= 500) {
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Twilio is failing (HTTP ${err.status}); ${NOT_ACCEPTED[subject]}.`,
        'Retry in a little while; if it persists, check https://status.twilio.com.',
        details,
      );
    }
    return new DomainError(
      'PROVIDER_REJECTED',
      `Twilio refused the ${subject}: ${twilioSays}${code !== null ? ` (error ${code})` : ''}.`,
      (code !== null ? NEXT_STEP_BY_CODE[code] : undefined)
        ?? `Fix the request before trying again (see ${err.moreInfo ?? 'https://www.twilio.com/docs/api/errors'}); sending it unchanged will fail the same way.`,
      details,
    );
  }

  function rateLimited(retryAfterSeconds: number | null, code: number | null, subject: TwilioSubject): DomainError {
    return new DomainError(
      'RATE_LIMITED',
      'Twilio asked us to slow down (HTTP 429).',
      retryAfterSeconds !== null ? `Wait ${retryAfterSeconds} seconds, then try again.` : SLOW_DOWN[subject],
      { provider: 'twilio', providerStatus: 429, providerCode: code, retryAfterSeconds: retryAfterSeconds ?? undefined },
    );
  }

  /** Any failure of an SDK call, as the `DomainError` the TelephonyPort documents. */
  return function toDomainError(err: unknown, subject: TwilioSubject = 'message'): DomainError {
    if (err instanceof TwilioRateLimitResponse) return rateLimited(err.retryAfterSeconds, err.providerCode, subject);
    if (isRestFailure(err)) return fromRestFailure(err, subject);

    const code = stringProperty(err, 'code') ?? '';
    const message = stringProperty(err, 'message') ?? '';
    if (TIMEOUT_CODES.has(code) || (code === 'ECONNABORTED' && /timeout/i.test(message))) {
      return new DomainError(
        'PROVIDER_TIMEOUT',
        `Twilio did not answer within ${timeoutMs} ms.`,
        MAYBE_ACCEPTED[subject],
        { provider: 'twilio', timeoutMs },
      );
    }
    if (DROPPED_CODES.has(code) || /socket hang up/i.test(message)) {
      return new DomainError(
        'PROVIDER_TIMEOUT',
        `The connection to Twilio dropped before it answered (${code || 'socket hang up'}).`,
        MAYBE_ACCEPTED[subject],
        { provider: 'twilio', networkError: code || undefined },
      );
    }
    if (UNREACHABLE_CODES.has(code) || code === 'ECONNABORTED') {
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Could not reach Twilio (${code || 'connection failed'}).`,
        'Retry in a little while; if it persists, check the network and the baseUrl of the telephony options.',
        { provider: 'twilio', networkError: code || undefined },
      );
    }
    // Not a provider answer: a bug or a misuse of the SDK. The text is scrubbed because SDK errors may echo options.
    return new DomainError(
      'INTERNAL',
      'Unexpected failure while calling Twilio.',
      'Report this to the server operator with the request id.',
      { provider: 'twilio', reason: scrub(message).slice(0, 200) || undefined },
    );
  };
}
