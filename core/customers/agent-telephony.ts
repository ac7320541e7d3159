import type { AgentRecord } from '../../ports/records.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import { requireTelephony, type Provided, type UseCaseContext } from '../context.js';

/**
 * The telephony adapter an agent acts through: with its stored credential set when it has one (its
 * customer's subaccount, or its own in `per-agent` isolation), else the server's configured account.
 */
export async function agentTelephony(ctx: UseCaseContext, agent: Pick<AgentRecord, 'credentialsRef'>): Promise<Provided<TelephonyPort>> {
  const configured = requireTelephony(ctx.ports);
  return agent.credentialsRef ? ctx.ports.telephonyWith(agent.credentialsRef) : configured;
}
