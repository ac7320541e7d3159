import type { Alerts } from '../../ports/alerts.js';
import type { Logger } from '../../ports/runtime.js';
import type { SecurityEventSink } from '../../ports/security-events.js';

/**
 * Where the hosts' security events go: the log and an alert; the audit trail connects here
 * (`authFailureBurst` is the audit hook for the auth-failure bursts of issue 12).
 */
export function securityEventSink(logger: Logger, alerts: Alerts, also: SecurityEventSink[] = []): SecurityEventSink {
  return {
    authFailureBurst(burst) {
      logger.warn({ ip: burst.ip, failures: burst.failures, lockedForSeconds: burst.lockedForSeconds, lockoutNumber: burst.lockoutNumber }, 'bad tokens from one address: locked out');
      alerts.raise({
        trigger: 'auth-lockout', key: `auth-lockout:${burst.ip}`, severity: 'MEDIUM',
        summary: `${burst.failures} bad tokens from one address: locked out for ${burst.lockedForSeconds} s (lockout ${burst.lockoutNumber} today).`,
        details: { ip: burst.ip, failures: burst.failures, lockedForSeconds: burst.lockedForSeconds, lockoutNumber: burst.lockoutNumber },
      });
      for (const sink of also) sink.authFailureBurst(burst);
    },
  };
}
