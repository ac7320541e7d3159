import type { CorePorts } from '../context.js';
import type { AuthFailureBurst } from '../../ports/security-events.js';
import { recordAudit } from '../audit/record-audit.js';

/**
 * Notes a bad or missing token from `source` (the client's IP address). The first time a source's count
 * reaches the threshold in a window, one `auth.failure-burst` entry goes to the audit trail, naming the
 * source by a SHA-256 of its address, not the address itself (bursts from one source stay linkable; an IPv4
 * address could be recovered by trying them all, so the trail is kept as personal data). Never throws: a
 * failed audit write is logged.
 */
export async function recordAuthFailure(ports: CorePorts, source: string): Promise<void> {
  const { settings } = ports.authFailures;
  const count = ports.authFailures.add(source, ports.clock.now());
  if (count !== settings.threshold) return;
  try {
    await recordAudit(ports, { kind: 'anonymous', id: null }, {
      action: 'auth.failure-burst',
      targets: { source: sourceHash(ports, source), failures: count, windowSeconds: settings.windowSeconds },
    }, 'UNAUTHORIZED', null);
  } catch (err) {
    ports.logger.error({ err }, 'recording an authentication failure burst failed');
  }
}

const sourceHash = (ports: CorePorts, source: string): string => ports.secrets.hash(source).slice(0, 32);

/** A brute-force lockout the HTTP host started: one `auth.lockout` entry. Never throws, like recordAuthFailure. */
export async function recordLockout(ports: CorePorts, burst: AuthFailureBurst): Promise<void> {
  try {
    await recordAudit(ports, { kind: 'anonymous', id: null }, {
      action: 'auth.lockout',
      targets: { source: sourceHash(ports, burst.ip), failures: burst.failures, lockedForSeconds: burst.lockedForSeconds, lockoutNumber: burst.lockoutNumber },
    }, 'AUTH_LOCKED_OUT', null);
  } catch (err) {
    ports.logger.error({ err }, 'recording a lockout failed');
  }
}
