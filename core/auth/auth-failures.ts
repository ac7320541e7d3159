import type { CorePorts } from '../context.js';
import { recordAudit } from '../audit/record-audit.js';

/**
 * Notes a bad or missing token from `source` (the client's IP address). The first time a source's count
 * reaches the threshold in a window, one `auth.failure-burst` entry goes to the audit trail, naming the
 * source only by a keyed hash (an IP address is personal data). Never throws: a failed audit write is logged.
 */
export async function recordAuthFailure(ports: CorePorts, source: string): Promise<void> {
  const { settings } = ports.authFailures;
  const count = ports.authFailures.add(source, ports.clock.now());
  if (count !== settings.threshold) return;
  try {
    await recordAudit(ports, { kind: 'anonymous', id: null }, {
      action: 'auth.failure-burst',
      targets: { source: ports.secrets.fingerprint(source).slice(0, 32), failures: count, windowSeconds: settings.windowSeconds },
    }, 'UNAUTHORIZED', null);
  } catch (err) {
    ports.logger.error({ err }, 'recording an authentication failure burst failed');
  }
}
