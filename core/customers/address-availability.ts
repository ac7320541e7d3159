import { DomainError } from '../../ports/errors.js';
import type { Channel } from '../../ports/records.js';
import { customerScope } from '../auth/tenancy.js';
import type { UseCaseContext } from '../context.js';

/**
 * What a customer admin hears when it names a number, address or name that is not its own: the answer to an invalid
 * request, the same whoever holds it (another customer, the operator) and whatever it is (an agent's number, a
 * shared number, a credential set), so that a customer cannot learn from an error that another one exists.
 */
export function notAvailableToCustomer(field: string): DomainError {
  return new DomainError('INVALID_INPUT', `${field} cannot be used by this customer's agents.`,
    'Use a number, address or name of your own; ask the operator for a new one.', { field });
}

/** Whether a record owned by `ownerId` (null: the operator's) lies outside the calling customer admin's own; false for the operator. */
export function outsideCallerCustomer(ctx: UseCaseContext, ownerId: string | null | undefined): boolean {
  const scope = customerScope(ctx.caller);
  return scope !== undefined && (ownerId ?? null) !== scope;
}

/**
 * For a customer admin: refuses (see `notAvailableToCustomer`) an address that an agent outside its customer holds on
 * `channel`, or, for a number, that is set up as a shared number outside it. The operator, who sees everything, and
 * conflicts with the customer's own agents are left to the caller's usual checks (CONFLICT).
 */
export async function requireAddressAvailable(ctx: UseCaseContext, field: string, channel: Channel, address: string): Promise<void> {
  if (customerScope(ctx.caller) === undefined) return;
  const { db } = ctx.ports;
  const owner = await db.agents.findChannelByAddress(channel, address);
  if (owner) {
    const agent = await db.agents.findById(owner.agentId);
    if (outsideCallerCustomer(ctx, agent?.customerId)) throw notAvailableToCustomer(field);
  }
  if (channel === 'sms') await requireSharedNumberAvailable(ctx, field, address);
}

/** For a customer admin: refuses a number set up as a shared number outside its customer. */
export async function requireSharedNumberAvailable(ctx: UseCaseContext, field: string, number: string): Promise<void> {
  if (customerScope(ctx.caller) === undefined) return;
  const shared = await ctx.ports.db.sharedNumbers.find(number);
  if (shared && outsideCallerCustomer(ctx, shared.customerId)) throw notAvailableToCustomer(field);
}
