import type { AuditActorKind, AuditEntry, AuditValue } from '../../ports/audit.js';
import { isDomainError } from '../../ports/errors.js';
import type { Repositories } from '../../ports/repositories.js';
import type { Caller, CorePorts, UseCaseContext } from '../context.js';
import { entryHash } from './audit-chain.js';

/** What an audited action says about itself: ids and codes only, never bodies, numbers or addresses. */
export interface AuditFacts {
  action: string;
  agentId?: string | null;
  targets?: Record<string, AuditValue>;
}

export interface AuditActor {
  kind: AuditActorKind;
  id: string | null;
}

export function actorOf(caller: Caller): AuditActor {
  if (caller.kind === 'agent') return { kind: 'agent', id: caller.agentId };
  // A customer admin is recorded by its customer's id: whose token did it.
  if (caller.kind === 'customer') return { kind: 'customer', id: caller.customerId };
  return { kind: caller.kind, id: null };
}

/**
 * Appends one entry through `repos`: the database itself, or a transaction's repositories so the entry
 * commits with the action it records.
 */
export function appendAudit(
  ports: Pick<CorePorts, 'ids' | 'clock' | 'secrets'>, repos: Pick<Repositories, 'audit'>, actor: AuditActor,
  facts: AuditFacts, outcome: string, requestId: string | null,
): Promise<AuditEntry> {
  const draft = {
    id: ports.ids.next('aud'),
    at: ports.clock.now(),
    actorKind: actor.kind,
    actorId: actor.id,
    action: facts.action,
    agentId: facts.agentId ?? null,
    targets: facts.targets ?? {},
    outcome,
    requestId,
  };
  return repos.audit.append(draft, (seq, prevHash) => entryHash(ports.secrets, seq, prevHash, draft));
}

/**
 * Runs an action's writes and its audit entry in one transaction. `work` returns its result and the
 * facts to record (ids known only once it ran). When `work` throws, its writes roll back and the failure
 * is recorded on its own with the error code as outcome, then the error goes on to the caller.
 */
export async function audited<T>(
  ctx: UseCaseContext, facts: AuditFacts, work: (tx: Repositories) => Promise<{ result: T; targets?: Record<string, AuditValue> }>,
): Promise<T> {
  const { ports } = ctx;
  const actor = actorOf(ctx.caller);
  try {
    return await ports.db.transaction(async (tx) => {
      const { result, targets } = await work(tx);
      await appendAudit(ports, tx, actor, { ...facts, targets: { ...facts.targets, ...targets } }, 'ok', ctx.requestId);
      return result;
    });
  } catch (err) {
    const outcome = isDomainError(err) ? err.code : 'INTERNAL';
    try {
      await appendAudit(ports, ports.db, actor, facts, outcome, ctx.requestId);
    } catch (auditErr) {
      ports.logger.error({ err: auditErr, action: facts.action, requestId: ctx.requestId }, 'recording a failed action in the audit trail failed');
    }
    throw err;
  }
}

/** Records an action that wrote nothing itself (a refusal, an export, an erasure done piecewise). */
export async function recordAudit(ports: CorePorts, actor: AuditActor, facts: AuditFacts, outcome: string, requestId: string | null): Promise<void> {
  await appendAudit(ports, ports.db, actor, facts, outcome, requestId);
}
