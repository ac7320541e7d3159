import type { CustomerRecord } from '../../ports/customers.js';
import type { UseCaseContext } from '../context.js';
import { requireProviderAccounts } from './subaccounts.js';

/**
 * Closes at the provider every subaccount of a customer: its own (`subaccount` isolation) and its agents'
 * (`per-agent`); returns how many. Closing is final at Twilio and takes the account's numbers with it, so
 * numbers to keep must be released or moved first: number provisioning calls this after releasing them
 * (the hook for deprovisioning a whole customer). Closing one already closed is not an error, so a
 * failed close is simply run again.
 */
export async function closeCustomerAccounts(ctx: UseCaseContext, customer: CustomerRecord): Promise<number> {
  const agents = await ctx.ports.db.agents.list({ customerId: customer.id });
  const accounts = [customer.providerAccount, ...agents.map((agent) => agent.providerAccount)].filter((sid): sid is string => !!sid);
  if (accounts.length === 0) return 0;
  const provider = requireProviderAccounts(ctx);
  for (const account of accounts) await provider.closeSubaccount(account);
  return accounts.length;
}
