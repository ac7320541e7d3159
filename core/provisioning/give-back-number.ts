import type { ProvisionedNumberRecord } from '../../ports/provisioning.js';
import { settleBuying, type NumberActor } from './buy-number.js';
import { auditNumber } from './number-audit.js';
import { pointWebhooks } from './point-webhooks.js';
import type { NumberAccount } from './agent-number-provider.js';
import { poolSize } from './provisioning-settings.js';

export type GiveBackOutcome = 'pool' | 'released' | 'gone';

/**
 * Takes a number away from its agent: back into the pool while the pool of its provider and country is
 * below its size (webhooks pointed at the shared URLs), otherwise released at the provider. A release is
 * recorded as `releasing` first, so a run that dies half-way finishes it when resumed. A number of an
 * agent's own account (a customer's subaccount or credentials) is always released: the pool is the server's.
 */
export async function giveBackNumber(actor: NumberActor, account: NumberAccount, number: ProvisionedNumberRecord): Promise<GiveBackOutcome> {
  const { db, clock, settings } = actor.ports;
  const { provider } = account;
  let current: ProvisionedNumberRecord | null = number;
  if (current.state === 'buying') current = await settleBuying(actor, provider, current);
  if (!current) return 'gone';
  if (current.state === 'owned' && !account.ownAccount && (await db.provisioning.countSpares(current.provider, current.country)) < poolSize(settings.provisioning, current.provider, current.country)) {
    await pointWebhooks(actor, provider, current, null);
    await db.provisioning.updateNumber(current.id, { agentId: null, operationId: null, updatedAt: clock.now() });
    await auditNumber(actor.ports, actor.who, actor.requestId, 'number.pool', current);
    return 'pool';
  }
  if (current.state !== 'releasing') await db.provisioning.updateNumber(current.id, { state: 'releasing', updatedAt: clock.now() });
  try {
    await provider.port.numbers.release(current.providerRef ?? '');
  } catch (err) {
    await auditNumber(actor.ports, actor.who, actor.requestId, 'number.release', current, (err as { code?: string }).code ?? 'INTERNAL');
    throw err;
  }
  await db.provisioning.deleteNumber(current.id);
  await auditNumber(actor.ports, actor.who, actor.requestId, 'number.release', current);
  return 'released';
}
