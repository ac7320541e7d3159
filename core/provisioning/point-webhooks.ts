import type { OwnedNumber, ProvisionedNumberRecord } from '../../ports/provisioning.js';
import type { NumberActor } from './buy-number.js';
import { auditNumber } from './number-audit.js';
import { expectedWebhooks } from './number-webhooks.js';
import type { NumberProvider } from './provisioning-errors.js';

/** Points the number's SMS, voice and status webhooks at this server: the agent's URLs, or the pool's shared ones. */
export async function pointWebhooks(actor: NumberActor, provider: NumberProvider, number: ProvisionedNumberRecord, agentId: string | null): Promise<OwnedNumber> {
  const expected = expectedWebhooks(actor.ports.settings.publicBaseUrl, agentId);
  try {
    const updated = await provider.port.numbers.updateWebhooks(number.providerRef ?? '', expected);
    await auditNumber(actor.ports, actor.who, actor.requestId, 'number.webhooks', { ...number, agentId });
    return updated;
  } catch (err) {
    await auditNumber(actor.ports, actor.who, actor.requestId, 'number.webhooks', { ...number, agentId }, (err as { code?: string }).code ?? 'INTERNAL');
    throw err;
  }
}
