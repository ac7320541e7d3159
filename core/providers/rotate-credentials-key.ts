import { isDomainError } from '../../ports/errors.js';
import type { CorePorts } from '../context.js';
import { recordAudit, type AuditActor } from '../audit/record-audit.js';
import { resealCredentials } from './sealed-credentials.js';

/** Counts only: names of sets that could not be re-encrypted, with the reason's code; never a secret. */
export interface RotationReport {
  /** Fingerprint of the key everything is now sealed under. */
  keyId: string;
  rotated: number;
  /** Already under the current key (a finished earlier run, or a concurrent one). */
  alreadyCurrent: number;
  failed: Array<{ name: string; code: string }>;
}

const BATCH = 100;

/**
 * Re-encrypts every stored credential set under the current key (COMMS_CREDENTIALS_KEY), opening each
 * with whichever key sealed it (the current one or COMMS_CREDENTIALS_KEY_PREVIOUS). Each row is swapped
 * on its own, only if still under the key it was read with, so a crash or a second run loses nothing
 * and an interrupted rotation resumes where it stopped. Rows that cannot be opened are reported and left.
 */
export async function rotateCredentialsKey(ports: CorePorts, actor: AuditActor, requestId: string | null): Promise<RotationReport> {
  const { db, credentialCipher: cipher, clock } = ports;
  const keyId = cipher.currentKeyId();
  const total = (await db.providerCredentials.list()).length;
  const report: RotationReport = { keyId, rotated: 0, alreadyCurrent: 0, failed: [] };
  let afterId: string | null = null;
  for (;;) {
    const batch = await db.providerCredentials.listNotUnderKey(keyId, afterId, BATCH);
    for (const record of batch) {
      try {
        if (await db.providerCredentials.reseal(record.id, record.sealed.keyId, resealCredentials(cipher, record), clock.now())) report.rotated += 1;
      } catch (err) {
        report.failed.push({ name: record.name, code: isDomainError(err) ? err.code : 'INTERNAL' });
      }
    }
    if (batch.length < BATCH) break;
    afterId = batch.at(-1)!.id;
  }
  report.alreadyCurrent = Math.max(0, total - report.rotated - report.failed.length);
  await recordAudit(ports, actor, {
    action: 'credentials.key.rotate',
    targets: { keyId, rotated: report.rotated, alreadyCurrent: report.alreadyCurrent, failed: report.failed.length },
  }, report.failed[0]?.code ?? 'ok', requestId);
  return report;
}
