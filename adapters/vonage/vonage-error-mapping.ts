import { DomainError, type ErrorDetails } from '../../ports/errors.js';
import type { VonageCredentials } from './vonage-options.js';

/** Vonage's RFC 7807 problem body (Messages API v1). */
interface VonageProblem {
  type?: unknown;
  title?: unknown;
  detail?: unknown;
  instance?: unknown;
  invalid_parameters?: unknown;
  /** The name some Vonage APIs (and older docs) use for the same list. */
  invalid_params?: unknown;
}

interface HttpFailure {
  status: number;
  retryAfter: string | null;
  problem: VonageProblem;
}

/** Messages API error codes with a specific meaning for the caller. */
const OUTSIDE_WINDOW_CODE = '1340';
const INVALID_SENDER_CODE = '1120';
const INVALID_TEMPLATE_CODE = '1022';

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Vonage was never reached: nothing can have been accepted, a retry is safe. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);
/** The connection broke after the request went out: Vonage may have accepted it (no idempotency key). */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKET_CLOSED', 'UND_ERR_SOCKET']);
const MAYBE_SENT = 'The message may or may not have been sent: check its status (or with the recipient) before sending again; the Messages API has no idempotency key.';

/** How long an error body may take to arrive once the status line is in (the SDK's own timer has stopped). */
const ERROR_BODY_WAIT_MS = 2000;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringProperty(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return text((value as Record<string, unknown>)[key]);
}

/** Seconds from `Retry-After`, which may be delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function withTimeout<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([work.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/** The SDK throws a VetchError carrying the unread node-fetch Response for any non-2xx answer. */
async function httpFailureOf(err: unknown): Promise<HttpFailure | null> {
  if (typeof err !== 'object' || err === null) return null;
  const response = (err as { response?: unknown }).response;
  if (typeof response !== 'object' || response === null) return null;
  const { status, headers } = response as { status?: unknown; headers?: { get?: (name: string) => string | null } };
  if (typeof status !== 'number') return null;
  const retryAfter = typeof headers?.get === 'function' ? headers.get('retry-after') : null;
  const readText = (response as { text?: () => Promise<string> }).text;
  const raw = typeof readText === 'function' ? await withTimeout(readText.call(response), ERROR_BODY_WAIT_MS, '') : '';
  let problem: VonageProblem = {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed === 'object' && parsed !== null) problem = parsed as VonageProblem;
  } catch {
    // Not a problem body (a proxy's HTML page, say): the status alone decides.
  }
  return { status, retryAfter, problem };
}

/** "https://developer.vonage.com/api-errors/messages#1340" → "1340"; "…#unauthorized" → "unauthorized". */
function problemCode(problem: VonageProblem): string | null {
  const type = text(problem.type);
  const fragment = type?.includes('#') ? type.slice(type.lastIndexOf('#') + 1) : undefined;
  return fragment || (typeof problem.title === 'number' ? String(problem.title) : null);
}

function invalidParameterNames(problem: VonageProblem): string[] {
  const given = problem.invalid_parameters ?? problem.invalid_params;
  const list = Array.isArray(given) ? given : [given];
  return list.map((p) => stringProperty(p, 'name')).filter((name): name is string => name !== undefined);
}

/** Builds the error mapping of one adapter instance; its secrets are scrubbed from anything that reaches a message. */
export function vonageErrorMapper(options: { secrets: readonly string[]; timeoutMs: number; credentials: VonageCredentials; now: () => Date }) {
  const scrub = (value: string) => options.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), value).slice(0, 300);
  const credentialHint = options.credentials.kind === 'jwt'
    ? 'Check applicationId and privateKey of the whatsapp options (VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY): the key must be the one of that application'
    : 'Check apiKey and apiSecret of the whatsapp options (VONAGE_API_KEY / VONAGE_API_SECRET)';

  function fromHttpFailure({ status, retryAfter, problem }: HttpFailure): DomainError {
    const code = problemCode(problem);
    const invalid = invalidParameterNames(problem);
    const details: ErrorDetails = {
      provider: 'vonage',
      providerStatus: status,
      providerCode: code,
      providerTrace: text(problem.instance),
      invalidParameters: invalid.length > 0 ? invalid.join(',') : undefined,
    };
    const vonageSays = scrub(text(problem.detail) ?? text(problem.title) ?? `HTTP ${status}`);
    const titleAndDetail = `${text(problem.title) ?? ''} ${text(problem.detail) ?? ''}`;

    if (status === 401) {
      return new DomainError('PROVIDER_AUTH_FAILED', 'Vonage refused the credentials (HTTP 401).', `${credentialHint}; retrying will not help until they are fixed.`, details);
    }
    if (status === 429) {
      const seconds = parseRetryAfter(retryAfter, options.now());
      return new DomainError(
        'RATE_LIMITED',
        'Vonage asked us to slow down (HTTP 429).',
        seconds !== null ? `Wait ${seconds} seconds, then send again.` : 'Wait a few seconds, then send again more slowly.',
        { ...details, retryAfterSeconds: seconds ?? undefined },
      );
    }
    if (status >= 500) {
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Vonage is failing (HTTP ${status}); the message was not accepted.`,
        'Retry in a little while; if it persists, check https://vonageapi.statuspage.io.',
        details,
      );
    }
    if (code === OUTSIDE_WINDOW_CODE || /outside .*window/i.test(titleAndDetail)) {
      return new DomainError(
        'TEMPLATE_REQUIRED',
        'WhatsApp refused free-form text: the contact has not written in the last 24 hours.',
        'Send an approved WhatsApp template instead (templateId and templateVars), or wait until the contact writes; free-form messages are allowed for 24 hours after their last message.',
        details,
      );
    }
    if (invalid.includes('to')) {
      return new DomainError(
        'INVALID_PHONE_NUMBER',
        `Vonage refused the recipient: ${vonageSays}`,
        'Check that the destination is a WhatsApp user\'s number in E.164 form (+ country code, digits only); do not retry the same number.',
        details,
      );
    }
    const nextStep = code === INVALID_SENDER_CODE
      ? 'Send from a WhatsApp Business number linked to this Vonage application (the agent\'s WhatsApp address).'
      : code === INVALID_TEMPLATE_CODE
        ? 'Use the exact name of an approved template of the WhatsApp Business Account, in the language set by templateLanguage, with one variable per placeholder.'
        : status === 403
          ? 'The account or application is not allowed to do this: check that WhatsApp is provisioned for it in the Vonage dashboard.'
          : 'Fix the request before trying again; sending it unchanged will fail the same way.';
    return new DomainError('PROVIDER_REJECTED', `Vonage refused the message: ${vonageSays}${code ? ` (${code})` : ''}`, nextStep, details);
  }

  /** Any failure of an SDK call, as the `DomainError` the WhatsAppPort documents. */
  return async function toDomainError(err: unknown): Promise<DomainError> {
    const failure = await httpFailureOf(err);
    if (failure) return fromHttpFailure(failure);

    const name = stringProperty(err, 'name') ?? '';
    const code = stringProperty(err, 'code') ?? '';
    const type = stringProperty(err, 'type') ?? '';
    if (name === 'AbortError' || type === 'request-timeout' || TIMEOUT_CODES.has(code)) {
      return new DomainError(
        'PROVIDER_TIMEOUT',
        `Vonage did not answer within ${options.timeoutMs} ms.`,
        MAYBE_SENT,
        { provider: 'vonage', timeoutMs: options.timeoutMs },
      );
    }
    if (DROPPED_CODES.has(code)) {
      return new DomainError('PROVIDER_TIMEOUT', `The connection to Vonage dropped before it answered (${code}).`, MAYBE_SENT, { provider: 'vonage', networkError: code });
    }
    if (name === 'FetchError' || UNREACHABLE_CODES.has(code)) {
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Could not reach Vonage (${code || 'connection failed'}).`,
        'Retry in a little while; if it persists, check the network and the apiHost of the whatsapp options.',
        { provider: 'vonage', networkError: code || undefined },
      );
    }
    // Not a provider answer: a bug or a misuse of the SDK. Scrubbed, because SDK errors may echo credentials.
    return new DomainError(
      'INTERNAL',
      'Unexpected failure while calling Vonage.',
      'Report this to the server operator with the request id.',
      { provider: 'vonage', reason: scrub(stringProperty(err, 'message') ?? '') || undefined },
    );
  };
}
