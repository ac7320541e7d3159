import { DomainError } from '../../ports/errors.js';

/** Provider failures the demo adapter can play, for its contract harness and for demos of error handling. */
export type MockTelephonyFault = 'server-error' | 'rate-limit' | 'timeout' | 'auth-failed';

/** The error a real provider adapter would throw for the same failure. */
export function mockFaultError(fault: MockTelephonyFault): DomainError {
  switch (fault) {
    case 'auth-failed':
      return new DomainError(
        'PROVIDER_AUTH_FAILED',
        'The demo provider refused our credentials (injected authentication failure).',
        'Fix the provider credentials (demo mode: clear the fault with injectFault(null)).',
        { provider: 'mock', providerStatus: 401 },
      );
    case 'server-error':
      return new DomainError(
        'PROVIDER_UNAVAILABLE',
        'The demo provider is failing (injected server error); the message was not accepted.',
        'Retry in a little while (demo mode: clear the fault with injectFault(null)).',
        { provider: 'mock', providerStatus: 500 },
      );
    case 'rate-limit':
      return new DomainError(
        'RATE_LIMITED',
        'The demo provider asked us to slow down (injected rate limit).',
        'Wait 1 second, then send again.',
        { provider: 'mock', providerStatus: 429, retryAfterSeconds: 1 },
      );
    case 'timeout':
      return new DomainError(
        'PROVIDER_TIMEOUT',
        'The demo provider did not answer in time (injected timeout).',
        'The message may or may not have been sent: check its status before sending again.',
        { provider: 'mock' },
      );
  }
}
