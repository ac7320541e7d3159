import type { Logger } from '../../ports/runtime.js';
import type { SecurityEventSink } from '../../ports/security-events.js';

/**
 * Where the hosts' security events go: the log now; alerts and the audit trail connect here
 * (`authFailureBurst` is the audit hook for the auth-failure bursts of issue 12).
 */
export function securityEventSink(logger: Logger, also: SecurityEventSink[] = []): SecurityEventSink {
  return {
    authFailureBurst(burst) {
      logger.warn({ ip: burst.ip, failures: burst.failures, lockedForSeconds: burst.lockedForSeconds, lockoutNumber: burst.lockoutNumber }, 'bad tokens from one address: locked out');
      for (const sink of also) sink.authFailureBurst(burst);
    },
  };
}
