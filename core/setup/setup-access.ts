import { DomainError } from '../../ports/errors.js';
import type { SetupRecord } from '../../ports/setup.js';
import { requireOperator } from '../auth/tenancy.js';
import type { UseCaseContext } from '../context.js';

/**
 * The gate of every setup tool: the operator only (the admin token, or the terminal wizard, which runs as the
 * operator), before setup is done as after. Setup registers provider credentials, creates agents and sends as the
 * operator, so an agent token that existed before setup (made with `agent create`) must not reach it. The tools
 * are declared `auth: 'admin'` too; this check keeps a direct run (CLI, tests) from bypassing that.
 * What it returns is what setup recorded so far.
 */
export async function openSetup(ctx: UseCaseContext): Promise<SetupRecord> {
  if (ctx.caller.kind === 'anonymous') {
    throw new DomainError('UNAUTHORIZED', 'A valid bearer token is required.', 'Send "Authorization: Bearer <token>".');
  }
  requireOperator(ctx, 'setup');
  return ctx.ports.setup.store.read();
}

/**
 * Setup acts as the operator when it reuses the operator's use cases (register the credentials, create the
 * agent, send the test message): the caller was let in by `openSetup`.
 */
export function asOperator(ctx: UseCaseContext): UseCaseContext {
  return { ...ctx, caller: { kind: 'admin' } };
}

/** The agent setup created, or NOT_FOUND telling the operator to create it first. */
export function firstAgentId(record: SetupRecord): string {
  const id = record.progress.firstAgentId;
  if (!id) throw new DomainError('NOT_FOUND', 'Setup has not created the first agent yet.', 'Create it first (comms_setup_create_agent).');
  return id;
}
