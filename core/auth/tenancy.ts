import { DomainError } from '../../ports/errors.js';
import type { AgentRecord } from '../../ports/records.js';
import type { Caller, UseCaseContext } from '../context.js';
import type { UseCase } from '../use-case.js';

/**
 * Tenancy, in one place. Three callers: the operator's admin token (everything), a customer's admin token
 * (only its own customer's agents and what hangs off them), an agent token (itself). Every use case passes
 * `authorize` before it runs (the hosts' runner calls it); a customer admin reaches only use cases that
 * declare `tenancy: 'customer-scoped'`, and those scope themselves through `actingAgent` (an agent of
 * another customer is NOT_FOUND, as if it did not exist) and `customerScope` (list queries filtered by it).
 */
export function authorize(useCase: Pick<UseCase, 'name' | 'auth' | 'tenancy'>, caller: Caller): void {
  if (caller.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'A valid bearer token is required.', 'Send "Authorization: Bearer <token>".');
  if (caller.kind === 'customer' && useCase.tenancy !== 'customer-scoped') throw operatorOnly(useCase.name);
  if (useCase.auth === 'admin' && caller.kind === 'agent') {
    throw new DomainError('FORBIDDEN', `${useCase.name} needs the admin token.`, 'Call it with COMMS_ADMIN_TOKEN.');
  }
}

export function operatorOnly(name: string): DomainError {
  return new DomainError('OPERATOR_ONLY', `${name} is for the operator's admin token only; a customer admin token cannot use it.`,
    'Ask the operator to run it with COMMS_ADMIN_TOKEN.', { tool: name });
}

/** The customer a caller is confined to: its id for a customer admin, undefined for the operator (everything). */
export function customerScope(caller: Caller): string | undefined {
  return caller.kind === 'customer' ? caller.customerId : undefined;
}

/** Whether the caller may see or act for `agent`: the operator always, a customer admin for its own agents only. */
export function callerOwns(caller: Caller, agent: Pick<AgentRecord, 'id' | 'customerId'>): boolean {
  if (caller.kind === 'admin') return true;
  if (caller.kind === 'customer') return agent.customerId === caller.customerId;
  return caller.kind === 'agent' && caller.agentId === agent.id;
}

/** For operator-only use cases that can also be run without the runner (CLI): refuses any other caller. */
export function requireOperator(ctx: UseCaseContext, name: string): void {
  if (ctx.caller.kind === 'admin') return;
  if (ctx.caller.kind === 'customer') throw operatorOnly(name);
  throw new DomainError('FORBIDDEN', 'This operation needs the admin token.', 'Call it with COMMS_ADMIN_TOKEN.');
}
