import type { ProvisionedNumberRecord } from '../../ports/provisioning.js';
import { buyNumber, settleBuying, type NumberActor, type NumberWish } from './buy-number.js';
import { auditNumber } from './number-audit.js';
import type { NumberAccount } from './agent-number-provider.js';

export type NumberSource = 'existing' | 'pool' | 'bought';

/**
 * The agent's number: the one it already holds (a retry, or a second run, never buys again), else a spare
 * of the pool (only when no area code is asked for: spares are of any area), else a new one bought.
 * Numbers a dead run left `buying` for the agent are settled first (one this operation was buying when it
 * died counts as bought by it). An agent acting in its own account never takes the server's spares.
 */
export async function acquireNumber(
  actor: NumberActor, account: NumberAccount, agentId: string, operationId: string, wish: NumberWish, onPoolDrawn: () => void,
): Promise<{ number: ProvisionedNumberRecord; source: NumberSource }> {
  const { db, clock } = actor.ports;
  const { provider } = account;
  let settledHere: ProvisionedNumberRecord | null = null;
  for (const number of await db.provisioning.listAgentNumbers(agentId)) {
    if (number.state !== 'buying') continue;
    const settled = await settleBuying(actor, provider, number);
    if (settled && number.operationId === operationId) settledHere = settled;
  }
  if (settledHere) return { number: settledHere, source: 'bought' };
  const held = (await db.provisioning.listAgentNumbers(agentId)).find((n) => n.state === 'owned');
  if (held) return { number: held, source: 'existing' };
  if (wish.areaCode === undefined && !account.ownAccount) {
    const spare = await db.provisioning.takeSpare(provider.id, wish.country, agentId, operationId, clock.now());
    if (spare) {
      await auditNumber(actor.ports, actor.who, actor.requestId, 'number.assign', spare);
      onPoolDrawn();
      return { number: spare, source: 'pool' };
    }
  }
  return { number: await buyNumber(actor, provider, wish, agentId, operationId), source: 'bought' };
}
