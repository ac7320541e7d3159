import { DomainError, type ErrorDetails } from '../../ports/errors.js';
import type { TurnTimeout } from './turn-deadline.js';

/** How one brain adapter words its failures; every message and next step is built from this. */
export interface BrainProvider {
  /** Stable id, put in `details.provider`. */
  id: string;
  /** How messages name the far side ("Anthropic", "the agent's endpoint" …). */
  name: string;
  /** What to fix when the far side refuses our credentials. */
  authAdvice: string;
  /** What to do when the far side is down or keeps failing. */
  outageAdvice: string;
  /** What to check when the far side refuses the request itself. */
  rejectAdvice: string;
  /** Option names to raise when replies are slow to start or stall. */
  timeoutAdvice: string;
  /** Credentials of this instance: scrubbed from every text that reaches an error. */
  secrets: readonly string[];
}

/** Refusals whose usual cause is specific enough to name. */
const REJECT_ADVICE_BY_STATUS: Readonly<Record<number, string>> = {
  402: 'The account is out of credit: add credits or raise its spending limit; retrying will not help before that.',
  404: 'The model or the address was not found: check the model and baseUrl options.',
  413: 'The conversation is too long for one request: shorten the instructions or the history sent with each turn.',
};

/** A far-side text made safe to show: secrets removed, whitespace folded, length bounded. */
export function scrubbed(provider: BrainProvider, text: string): string {
  let safe = text;
  for (const secret of provider.secrets) if (secret.length > 0) safe = safe.split(secret).join('[redacted]');
  return safe.replace(/\s+/g, ' ').trim().slice(0, 300);
}

export function brainTimeout(provider: BrainProvider, timeout: TurnTimeout): DomainError {
  const what = timeout.phase === 'first-token'
    ? `${provider.name} sent no reply within ${timeout.afterMs} ms`
    : `${provider.name} stopped sending the reply for ${timeout.afterMs} ms`;
  return new DomainError('PROVIDER_TIMEOUT', `${what}; the request was cancelled.`,
    `Say a short holding line and try the turn again; if it keeps happening, use a faster model or raise ${provider.timeoutAdvice}.`,
    { provider: provider.id, phase: timeout.phase, timeoutMs: timeout.afterMs });
}

export function brainAuthFailed(provider: BrainProvider, details: ErrorDetails): DomainError {
  const status = typeof details.providerStatus === 'number' ? ` (HTTP ${details.providerStatus})` : '';
  return new DomainError('PROVIDER_AUTH_FAILED', `${provider.name} refused our credentials${status}.`,
    `${provider.authAdvice} Retrying will not help until that is fixed.`, { provider: provider.id, ...details });
}

export function brainRateLimited(provider: BrainProvider, waitSeconds: number | null, details: ErrorDetails): DomainError {
  return new DomainError('RATE_LIMITED', `${provider.name} asked us to slow down.`,
    waitSeconds !== null ? `Wait ${waitSeconds} seconds, then try the turn again.` : 'Wait a few seconds, then try the turn again; fewer calls at once will help.',
    { provider: provider.id, ...details, retryAfterSeconds: waitSeconds ?? undefined });
}

export function brainUnavailable(provider: BrainProvider, what: string, details: ErrorDetails): DomainError {
  return new DomainError('PROVIDER_UNAVAILABLE', `${provider.name} could not answer: ${what}.`,
    `Say a short holding line and try the turn again; ${provider.outageAdvice}`, { provider: provider.id, ...details });
}

export function brainRejected(provider: BrainProvider, what: string, details: ErrorDetails, advice?: string): DomainError {
  const status = typeof details.providerStatus === 'number' ? REJECT_ADVICE_BY_STATUS[details.providerStatus] : undefined;
  return new DomainError('PROVIDER_REJECTED', `${provider.name} refused the request: ${what}.`,
    `${advice ?? status ?? provider.rejectAdvice} Sending the same turn again will fail the same way.`,
    { provider: provider.id, ...details });
}

/** An HTTP refusal, by status: 401/403 credentials, 429 rate limit, 5xx outage, any other status a refusal. */
export function brainHttpError(
  provider: BrainProvider,
  answer: { status: number; waitSeconds: number | null; providerType: string | null; providerMessage: string | null },
): DomainError {
  const details: ErrorDetails = { providerStatus: answer.status, providerType: answer.providerType ?? undefined };
  if (answer.status === 401 || answer.status === 403) return brainAuthFailed(provider, details);
  if (answer.status === 429) return brainRateLimited(provider, answer.waitSeconds, details);
  const says = answer.providerMessage ? `: ${scrubbed(provider, answer.providerMessage)}` : '';
  if (answer.status >= 500) return brainUnavailable(provider, `HTTP ${answer.status}${says}`, details);
  return brainRejected(provider, `HTTP ${answer.status}${says}`, details);
}
