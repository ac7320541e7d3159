import { DomainError } from '../../ports/errors.js';
import type { AgentRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { agentCredentialsRef } from '../customers/agent-telephony.js';
import { requireNumberProvider, type NumberProvider } from './provisioning-errors.js';

/**
 * Whose account an agent's numbers are bought, configured and released in. `ownAccount`: a customer's or
 * the agent's own (a subaccount, or credentials the customer registered); its numbers never go through the
 * server's spare pool, whose spares belong to the server's account and cannot answer for another.
 */
export interface NumberAccount {
  provider: NumberProvider;
  ownAccount: boolean;
}

type AgentAccount = Pick<AgentRecord, 'credentialsRef' | 'customerId'>;

export async function agentNumberAccount(ports: CorePorts, agent: AgentAccount | null): Promise<NumberAccount> {
  const configured = requireNumberProvider(ports);
  const ref = agent ? await agentCredentialsRef(ports, agent) : null;
  if (!ref) return { provider: configured, ownAccount: false };
  const scoped = await ports.telephonyWith(ref);
  if (!scoped.port.numbers) {
    throw new DomainError('PROVISIONING_UNSUPPORTED', `The telephony adapter "${scoped.id}" cannot buy or configure numbers.`,
      'Use an adapter that can (twilio), or give the agent a number by hand with comms_update_agent.', { provider: scoped.id });
  }
  return { provider: scoped as NumberProvider, ownAccount: true };
}

/** The account a recorded number lives in: its agent's (while it has one), else the server's (spares of the pool). */
export async function numberAccountOf(ports: CorePorts, agentId: string | null): Promise<NumberAccount> {
  const agent = agentId ? await ports.db.agents.findById(agentId) : null;
  return agentNumberAccount(ports, agent);
}
