import type { AgentRecord } from '../../ports/records.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import { requireTelephony, type CorePorts, type Provided, type UseCaseContext } from '../context.js';

type AgentAccount = Pick<AgentRecord, 'credentialsRef' | 'customerId'>;

/**
 * The stored telephony credential set an agent acts with, or null for the server's configured account:
 * its own (`per-agent` isolation) or its customer's subaccount (recorded on the agent when it was created),
 * else a set its customer registered with comms_register_provider for the configured telephony provider
 * (the oldest, if it registered several). Sending and provisioning both ask here, so a number bought in
 * the customer's account is also the one messages are sent from with that account's credentials.
 */
export async function agentCredentialsRef(ports: CorePorts, agent: AgentAccount): Promise<string | null> {
  if (agent.credentialsRef) return agent.credentialsRef;
  const provider = ports.telephony?.id;
  if (!agent.customerId || !provider) return null;
  const owned = (await ports.db.providerCredentials.list())
    .filter((set) => set.ownerId === agent.customerId && set.port === 'telephony' && set.provider === provider)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  return owned[0]?.name ?? null;
}

/** The telephony adapter an agent acts through: with its credential set when it has one, else the server's configured account. */
export async function agentTelephony(ctx: UseCaseContext, agent: AgentAccount): Promise<Provided<TelephonyPort>> {
  const configured = requireTelephony(ctx.ports);
  const ref = await agentCredentialsRef(ctx.ports, agent);
  return ref ? ctx.ports.telephonyWith(ref) : configured;
}
