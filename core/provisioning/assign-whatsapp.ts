import { DomainError } from '../../ports/errors.js';
import type { WhatsAppSenderRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';

/**
 * The agent's own WhatsApp sender: the one dedicated to it already, else a shared sender of the pool
 * dedicated to it now (it then stops being shared). Senders are registered with the provider by hand
 * (comms_add_whatsapp_sender): WhatsApp's sender registration has no self-serve API to drive.
 */
export async function assignWhatsAppSender(ports: CorePorts, agentId: string): Promise<WhatsAppSenderRecord> {
  const dedicated = (await ports.db.whatsappSenders.candidatesFor(agentId)).find((s) => s.agentId === agentId);
  if (dedicated) return dedicated;
  const assigned = await ports.db.whatsappSenders.assignFree(agentId);
  if (!assigned) {
    throw new DomainError('WHATSAPP_POOL_EMPTY', 'The WhatsApp sender pool has no free sender to give this agent.',
      'Register another sender with the provider, add it with comms_add_whatsapp_sender, then retry with the same idempotencyKey.', { agentId });
  }
  return assigned;
}
