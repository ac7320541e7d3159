import { DomainError, type ErrorDetails } from '../../ports/errors.js';

/** Vonage's RFC 7807 problem body (Messages API v1, Voice API). */
export interface VonageProblem {
  type?: unknown;
  title?: unknown;
  detail?: unknown;
  instance?: unknown;
  invalid_parameters?: unknown;
  /** The name some Vonage APIs (and older docs) use for the same list. */
  invalid_params?: unknown;
}

/** A non-2xx answer of a Vonage API, as far as the mapping needs it. */
export interface VonageHttpFailure {
  status: number;
  retryAfter: string | null;
  problem: VonageProblem;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Vonage was never reached: nothing can have been accepted, a retry is safe. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);
/** The connection broke after the request went out: Vonage may have accepted it (no idempotency key). */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKET_CLOSED', 'UND_ERR_SOCKET']);

/** How long an error body may take to arrive once the status line is in (the SDK's own timer has stopped). */
const ERROR_BODY_WAIT_MS = 2000;

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function stringProperty(value: unknown, key: string): string | undefined {
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
export async function httpFailureOf(err: unknown): Promise<VonageHttpFailure | null> {
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
export function problemCode(problem: VonageProblem): string | null {
  const type = text(problem.type);
  const fragment = type?.includes('#') ? type.slice(type.lastIndexOf('#') + 1) : undefined;
  return fragment || (typeof problem.title === 'number' ? String(problem.title) : null);
}

export function invalidParameterNames(problem: VonageProblem): string[] {
  const given = problem.invalid_parameters ?? problem.invalid_params;
  const list = Array.isArray(given) ? given : [given];
  return list.map((p) => stringProperty(p, 'name')).filter((name): name is string => name !== undefined);
}

/** Scrubs every credential out of a text that may reach an error message, and keeps it short. */
export function scrubber(secrets: readonly string[]): (value: string) => string {
  return (value) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), value).slice(0, 300);
}

/** Safe facts about an HTTP failure, for `DomainError.details`. */
export function httpFailureDetails({ status, problem }: VonageHttpFailure): ErrorDetails {
  const invalid = invalidParameterNames(problem);
  return {
    provider: 'vonage',
    providerStatus: status,
    providerCode: problemCode(problem),
    providerTrace: text(problem.instance),
    invalidParameters: invalid.length > 0 ? invalid.join(',') : undefined,
  };
}

export interface CommonFailureWording {
  /** What to check when Vonage refuses the credentials (401). */
  credentialHint: string;
  /** "the message", "the call": what was not accepted on a 5xx. */
  subject: string;
  now: () => Date;
}

/** The answers every Vonage API gives alike — 401, 429, 5xx — as the port's codes; null for any other status. */
export function commonHttpFailure(failure: VonageHttpFailure, wording: CommonFailureWording): DomainError | null {
  const details = httpFailureDetails(failure);
  if (failure.status === 401) {
    return new DomainError('PROVIDER_AUTH_FAILED', 'Vonage refused the credentials (HTTP 401).', `${wording.credentialHint}; retrying will not help until they are fixed.`, details);
  }
  if (failure.status === 429) {
    const seconds = parseRetryAfter(failure.retryAfter, wording.now());
    return new DomainError(
      'RATE_LIMITED',
      'Vonage asked us to slow down (HTTP 429).',
      seconds !== null ? `Wait ${seconds} seconds, then try again.` : 'Wait a few seconds, then try again more slowly.',
      { ...details, retryAfterSeconds: seconds ?? undefined },
    );
  }
  if (failure.status >= 500) {
    return new DomainError(
      'PROVIDER_UNAVAILABLE',
      `Vonage is failing (HTTP ${failure.status}); ${wording.subject} was not accepted.`,
      'Retry in a little while; if it persists, check https://vonageapi.statuspage.io.',
      details,
    );
  }
  return null;
}

export interface NetworkFailureWording {
  timeoutMs: number;
  /** Next step after a failure that may have been accepted. */
  maybeAccepted: string;
  /** Which option holds the host, for "could not reach" (`apiHost of the whatsapp options`). */
  hostOption: string;
  scrub: (value: string) => string;
}

/**
 * A failure without an HTTP answer: a timeout or a dropped connection (maybe accepted: PROVIDER_TIMEOUT), an
 * unreachable host (PROVIDER_UNAVAILABLE), or anything else (INTERNAL, its text scrubbed).
 */
export function networkFailure(err: unknown, wording: NetworkFailureWording): DomainError {
  const name = stringProperty(err, 'name') ?? '';
  const code = stringProperty(err, 'code') ?? '';
  const type = stringProperty(err, 'type') ?? '';
  if (name === 'AbortError' || type === 'request-timeout' || TIMEOUT_CODES.has(code)) {
    return new DomainError('PROVIDER_TIMEOUT', `Vonage did not answer within ${wording.timeoutMs} ms.`, wording.maybeAccepted, { provider: 'vonage', timeoutMs: wording.timeoutMs });
  }
  if (DROPPED_CODES.has(code)) {
    return new DomainError('PROVIDER_TIMEOUT', `The connection to Vonage dropped before it answered (${code}).`, wording.maybeAccepted, { provider: 'vonage', networkError: code });
  }
  if (name === 'FetchError' || UNREACHABLE_CODES.has(code)) {
    return new DomainError(
      'PROVIDER_UNAVAILABLE',
      `Could not reach Vonage (${code || 'connection failed'}).`,
      `Retry in a little while; if it persists, check the network and the ${wording.hostOption}.`,
      { provider: 'vonage', networkError: code || undefined },
    );
  }
  // Not a provider answer: a bug or a misuse of the SDK. Scrubbed, because SDK errors may echo credentials.
  return new DomainError(
    'INTERNAL',
    'Unexpected failure while calling Vonage.',
    'Report this to the server operator with the request id.',
    { provider: 'vonage', reason: wording.scrub(stringProperty(err, 'message') ?? '') || undefined },
  );
}
