import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DomainError } from '../../../ports/errors.js';
import type { Clock } from '../../../ports/runtime.js';
import type { SecurityEventSink } from '../../../ports/security-events.js';
import type { SecuritySettings } from '../../config/security-settings.js';
import type { LimiterStore } from './limiter-store.js';


const DAY_SECONDS = 86_400;

function lockedOut(msBeforeNext: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainError(
    'AUTH_LOCKED_OUT',
    'Too many bad tokens from this address: it is locked out for a while.',
    `Wait ${retryAfterSeconds} s, then retry with a valid token (agentos-comms agent rotate-token issues a new one).`,
    { retryAfterSeconds },
  );
}

/**
 * Brute-force lockout keyed on the client IP. `failures` bad tokens within `windowSeconds` lock the address
 * out for `firstLockSeconds`, doubled at each further lockout within a day, up to `maxLockSeconds`. A locked
 * address is refused before its token is looked at — a valid token from it too, or the lockout would still
 * answer the attacker's guesses — while the same token from any other address keeps working.
 */
export class AuthLockout {
  private readonly failures: RateLimiterAbstract;
  private readonly lockouts: RateLimiterAbstract;

  constructor(
    store: LimiterStore,
    private readonly settings: SecuritySettings['lockout'],
    private readonly events: SecurityEventSink,
    private readonly clock: Clock,
  ) {
    // The failure that reaches `failures` is the one rejected: the limiter allows one fewer.
    this.failures = store.limiter('auth-failures', settings.failures - 1, settings.windowSeconds);
    this.lockouts = store.limiter('auth-lockouts', Number.MAX_SAFE_INTEGER, DAY_SECONDS);
  }

  /** Throws AUTH_LOCKED_OUT while `ip` is locked out. */
  async check(ip: string): Promise<void> {
    if (!this.settings.enabled) return;
    const state = await this.failures.get(ip);
    if (state && state.consumedPoints >= this.settings.failures) throw lockedOut(state.msBeforeNext);
  }

  /** Counts a bad token from `ip`; the one that crosses the threshold starts the lockout. */
  async failed(ip: string): Promise<void> {
    if (!this.settings.enabled) return;
    try {
      await this.failures.consume(ip);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // Requests already past check() when the lockout starts count on; only the crossing one locks.
      if (rejection.consumedPoints !== this.settings.failures) return;
      const lockoutNumber = (await this.lockouts.penalty(ip)).consumedPoints;
      const lockedForSeconds = Math.min(this.settings.maxLockSeconds, this.settings.firstLockSeconds * 2 ** (lockoutNumber - 1));
      await this.failures.block(ip, lockedForSeconds);
      this.events.authFailureBurst({ ip, failures: this.settings.failures, windowSeconds: this.settings.windowSeconds, lockedForSeconds, lockoutNumber, at: this.clock.now() });
    }
  }
}
