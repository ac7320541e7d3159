import { DomainError } from '../../ports/errors.js';
import type { IsolationMode } from '../../ports/customers.js';
import { AGENT_IDENTITIES, type AgentIdentity, type AgentRecord } from '../../ports/records.js';
import { customerScope } from '../auth/tenancy.js';
import type { UseCaseContext } from '../context.js';
import { requireE164 } from '../phone-number.js';
import { customerClosed, visibleCustomer } from './customer-tools.js';
import { openSubaccount } from './subaccounts.js';
import { requireAddressAvailable } from './address-availability.js';

export const tenancyFieldSchemas = {
  customerId: { type: 'string', minLength: 1, maxLength: 64, description: 'The customer that owns the agent (operator token only; a customer admin\'s agents are its own).' },
  identity: { type: 'string', enum: [...AGENT_IDENTITIES], default: 'dedicated', description: 'dedicated: its own number; shared: answers on sharedNumber with other agents; hybrid: both.' },
  sharedNumber: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164 number shared with other agents (identity shared or hybrid).' },
} as const;

interface TenancyInput { customerId?: string; identity?: AgentIdentity; sharedNumber?: string; phone?: string }

/**
 * A new agent's customer, identity and credentials: a customer admin's agents are its own; the operator
 * may name a customer. An agent of a `subaccount` customer acts with the customer's stored credentials.
 */
export async function agentTenancy(ctx: UseCaseContext, input: TenancyInput): Promise<{ fields: Partial<AgentRecord>; isolation: IsolationMode }> {
  const scope = customerScope(ctx.caller);
  if (scope !== undefined && input.customerId !== undefined && input.customerId !== scope) {
    throw new DomainError('FORBIDDEN', 'A customer admin token creates agents for its own customer only.', 'Leave customerId out.', { field: 'customerId' });
  }
  const identity = input.identity ?? 'dedicated';
  if (identity !== 'dedicated' && input.sharedNumber === undefined) {
    throw new DomainError('INVALID_INPUT', `identity ${identity} needs sharedNumber.`, 'Pass the E.164 number the agent shares.', { field: 'sharedNumber' });
  }
  if (identity === 'shared' && input.phone !== undefined) {
    throw new DomainError('INVALID_INPUT', 'identity shared has no number of its own.', 'Leave phone out, or use identity hybrid.', { field: 'phone' });
  }
  const sharedNumber = input.sharedNumber === undefined ? null : requireE164(ctx.ports.phoneNumbers, input.sharedNumber, 'sharedNumber');
  // Another customer's shared (or own) number would route that customer's contacts' replies to this agent.
  if (sharedNumber !== null) await requireAddressAvailable(ctx, 'sharedNumber', 'sms', sharedNumber);
  const identityFields = identity === 'dedicated' ? {} : { identity, sharedNumber };
  const customerId = scope ?? input.customerId;
  if (customerId === undefined) return { fields: identityFields, isolation: 'shared' };
  const customer = await visibleCustomer(ctx, customerId);
  if (customer.status !== 'active') throw customerClosed(customer.id);
  const credentials = customer.isolation === 'subaccount' && customer.credentialsRef ? { credentialsRef: customer.credentialsRef } : {};
  return { fields: { customerId: customer.id, ...identityFields, ...credentials }, isolation: customer.isolation };
}

/** An agent's own subaccount (`per-agent` isolation), its credentials stored as `agent-<id>`. */
export async function openAgentSubaccount(ctx: UseCaseContext, agent: AgentRecord): Promise<Pick<AgentRecord, 'providerAccount' | 'credentialsRef'>> {
  const credentialsRef = `agent-${agent.id.toLowerCase()}`;
  const providerAccount = await openSubaccount(ctx, credentialsRef, agent.customerId!, `agentos-comms ${agent.id}`);
  return { providerAccount, credentialsRef };
}
