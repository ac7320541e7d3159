import { DomainError } from '../../../ports/errors.js';
import type { AgentRecord, Channel } from '../../../ports/records.js';
import { appendAudit } from '../../audit/record-audit.js';
import type { CorePorts } from '../../context.js';

/**
 * The agent an inbound message to a shared number goes to (identity modes `shared` and `hybrid`): the
 * member the contact last exchanged a message with on that number, else the number's default agent. With
 * neither, the message is refused (SHARED_NUMBER_UNROUTED) and the refusal recorded in the audit trail,
 * ids only. Null when `address` is no shared number at all.
 */
export async function sharedNumberAgent(ports: CorePorts, channel: Channel, address: string, contact: string): Promise<AgentRecord | null> {
  const shared = await ports.db.sharedNumbers.find(address);
  const last = await ports.db.agents.lastOnSharedNumber(channel, address, contact);
  if (!shared && !last) return null;
  for (const agentId of [last, shared?.defaultAgentId]) {
    if (!agentId) continue;
    const agent = await ports.db.agents.findById(agentId);
    if (agent?.status === 'active' && agent.sharedNumber === address) return agent;
  }
  const facts = { action: 'inbound.unrouted', targets: { channel, customerId: shared?.customerId ?? null } };
  await appendAudit(ports, ports.db, { kind: 'system', id: null }, facts, 'SHARED_NUMBER_UNROUTED', null);
  throw new DomainError('SHARED_NUMBER_UNROUTED', `No agent of this shared ${channel} number has talked with the sender, and the number has no default agent.`,
    'Name a default agent for the number (comms_set_shared_number defaultAgentId).', { channel });
}
