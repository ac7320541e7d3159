import { DomainError } from '../../ports/errors.js';
import type { SetupRecord } from '../../ports/setup.js';
import type { UseCaseContext } from '../context.js';

/**
 * The gate of every setup tool: the admin token always; another token only until setup is marked done
 * (SETUP_COMPLETED after that). What it returns is what setup recorded so far.
 */
export async function openSetup(ctx: UseCaseContext): Promise<SetupRecord> {
  if (ctx.caller.kind === 'anonymous') {
    throw new DomainError('UNAUTHORIZED', 'A valid bearer token is required.', 'Send "Authorization: Bearer <token>".');
  }
  const record = await ctx.ports.setup.store.read();
  if (ctx.caller.kind !== 'admin' && record.progress.completedAt !== null) {
    throw new DomainError('SETUP_COMPLETED', `Setup was marked done at ${record.progress.completedAt}: only the admin token may change it now.`,
      'Call it with COMMS_ADMIN_TOKEN, or run `agentos-comms setup` on the server.', { completedAt: record.progress.completedAt });
  }
  return record;
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
