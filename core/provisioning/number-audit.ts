import type { ProvisionedNumberRecord } from '../../ports/provisioning.js';
import { recordAudit, type AuditActor } from '../audit/record-audit.js';
import type { CorePorts } from '../context.js';

/** What happened to a number, for the audit trail: its id, provider and country only (never the number itself). */
export type NumberAction = 'number.buy' | 'number.release' | 'number.pool' | 'number.assign' | 'number.webhooks';

export function auditNumber(
  ports: CorePorts, who: AuditActor, requestId: string | null, action: NumberAction, number: ProvisionedNumberRecord, outcome = 'ok',
): Promise<void> {
  return recordAudit(ports, who, {
    action,
    agentId: number.agentId,
    targets: { numberId: number.id, provider: number.provider, country: number.country, ...(number.operationId ? { operationId: number.operationId } : {}) },
  }, outcome, requestId);
}
