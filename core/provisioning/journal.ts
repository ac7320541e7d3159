import { DomainError, isDomainError } from '../../ports/errors.js';
import type { ProvisioningKind, ProvisioningOperationRecord, ProvisioningStep } from '../../ports/provisioning.js';
import type { UseCaseContext } from '../context.js';

export type StepFacts = ProvisioningStep['facts'];

export interface JournalRun {
  readonly operation: ProvisioningOperationRecord;
  /** Runs `work` unless a previous run of this operation completed the step; records it once it completed. */
  step(name: string, work: () => Promise<StepFacts>): Promise<StepFacts>;
  /** The steps completed so far, in order. */
  readonly steps: readonly ProvisioningStep[];
}

/** Key order does not change the fingerprint of a request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs a provisioning operation under its journal: one row per (agent, kind, idempotency key) holding the
 * steps completed so far. A retry with the same key replays a completed answer, resumes a failed or dead run
 * from its last completed step, and is refused while a live run holds the operation; the same key with
 * another request is refused. The run's answer is stored, so a replay costs no provider call.
 */
export async function runJournaled<R extends Record<string, unknown>>(
  ctx: UseCaseContext, kind: ProvisioningKind, agentId: string, idempotencyKey: string, request: unknown, body: (run: JournalRun) => Promise<R>,
): Promise<R & { operationId: string; resumed: boolean }> {
  const { db, ids, clock, secrets, settings } = ctx.ports;
  const now = clock.now();
  const requestHash = secrets.hash(canonical(request));
  const { created, operation } = await db.provisioning.startOperation({
    id: ids.next('prv'), agentId, kind, idempotencyKey, requestHash, status: 'running', steps: [], result: null, errorCode: null,
    leaseUntil: null, createdAt: now, updatedAt: now,
  });
  if (operation.requestHash !== requestHash) {
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', `The idempotencyKey was already used for another ${kind} request of this agent.`,
      'Use a new idempotencyKey for a different request, or repeat the original request exactly.', { operationId: operation.id });
  }
  if (operation.status === 'completed' && operation.result) return { ...(operation.result as R), operationId: operation.id, resumed: false };
  const leaseUntil = new Date(now.getTime() + settings.provisioning.leaseSeconds * 1000);
  if (!(await db.provisioning.claimOperation(operation.id, now, leaseUntil))) {
    throw new DomainError('IDEMPOTENCY_IN_PROGRESS', `This ${kind} run is still in progress.`,
      `Wait for it, then retry with the same idempotencyKey (a run that died is resumed after ${settings.provisioning.leaseSeconds} s).`, { operationId: operation.id });
  }
  const steps = [...operation.steps];
  const run: JournalRun = {
    operation,
    steps,
    async step(name, work) {
      const done = steps.find((s) => s.name === name);
      if (done) return done.facts;
      const facts = await work();
      steps.push({ name, at: clock.now().toISOString(), facts });
      await db.provisioning.recordSteps(operation.id, steps, clock.now());
      return facts;
    },
  };
  try {
    const result = await body(run);
    await db.provisioning.finishOperation(operation.id, { status: 'completed', result, errorCode: null, updatedAt: clock.now() });
    return { ...result, operationId: operation.id, resumed: !created };
  } catch (err) {
    await db.provisioning.finishOperation(operation.id, { status: 'failed', result: null, errorCode: isDomainError(err) ? err.code : 'INTERNAL', updatedAt: clock.now() });
    throw err;
  }
}
