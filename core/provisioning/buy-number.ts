import { isDomainError } from '../../ports/errors.js';
import type { ProvisionedNumberRecord } from '../../ports/provisioning.js';
import type { AuditActor } from '../audit/record-audit.js';
import type { CorePorts } from '../context.js';
import { auditNumber } from './number-audit.js';
import { noNumberAvailable, type NumberProvider } from './provisioning-errors.js';

/** Who acts, for the audit trail of each buy and release. */
export interface NumberActor {
  ports: CorePorts;
  who: AuditActor;
  requestId: string | null;
}

export interface NumberWish {
  country: string;
  areaCode?: string;
  sms: boolean;
  voice: boolean;
}

/** How many candidates one search asks for: a few, in case another buyer takes the first. */
const CANDIDATES = 5;

/**
 * Buys a number for `agentId` (null: a spare for the pool). The intent is recorded before the provider is
 * asked, so a crash between the buy and its record leaves a `buying` row that `settleBuying` resolves by
 * looking the number up: a bought number is never left unrecorded.
 */
export async function buyNumber(actor: NumberActor, provider: NumberProvider, wish: NumberWish, agentId: string | null, operationId: string | null): Promise<ProvisionedNumberRecord> {
  const { db, ids, clock } = actor.ports;
  const candidates = await provider.port.numbers.searchAvailable({ ...wish, limit: CANDIDATES });
  for (const candidate of candidates) {
    const now = clock.now();
    const intent: ProvisionedNumberRecord = {
      id: ids.next('num'), provider: provider.id, country: wish.country, phoneNumber: candidate.phoneNumber, providerRef: null,
      state: 'buying', agentId, operationId, createdAt: now, updatedAt: now,
    };
    try {
      await db.provisioning.insertNumber(intent);
    } catch (err) {
      // Recorded already: another run is buying it or holds it. Try the next one.
      if (isDomainError(err) && err.code === 'CONFLICT') continue;
      throw err;
    }
    return completeBuy(actor, provider, intent);
  }
  throw noNumberAvailable(wish.country, wish.areaCode);
}

async function completeBuy(actor: NumberActor, provider: NumberProvider, intent: ProvisionedNumberRecord): Promise<ProvisionedNumberRecord> {
  const { db } = actor.ports;
  try {
    const bought = await provider.port.numbers.buy(intent.phoneNumber, `agentos-comms ${intent.operationId ?? 'pool'}`);
    return await markOwned(actor, intent, bought.providerRef);
  } catch (err) {
    const code = isDomainError(err) ? err.code : 'INTERNAL';
    if (code === 'PROVIDER_TIMEOUT' || code === 'INTERNAL') {
      // No clear answer: the number may be ours now. Look, rather than guess.
      const settled = await settleBuying(actor, provider, intent).catch(() => intent);
      if (settled && settled.state === 'owned') return settled;
      throw err;
    }
    // A clear refusal: nothing was bought.
    await db.provisioning.deleteNumber(intent.id);
    await auditNumber(actor.ports, actor.who, actor.requestId, 'number.buy', intent, code);
    throw err;
  }
}

async function markOwned(actor: NumberActor, intent: ProvisionedNumberRecord, providerRef: string): Promise<ProvisionedNumberRecord> {
  const updatedAt = actor.ports.clock.now();
  await actor.ports.db.provisioning.updateNumber(intent.id, { state: 'owned', providerRef, updatedAt });
  const owned = { ...intent, state: 'owned' as const, providerRef, updatedAt };
  await auditNumber(actor.ports, actor.who, actor.requestId, 'number.buy', owned);
  return owned;
}

/**
 * Settles a number left `buying` by a run that died or got no answer: the provider holds it (then it is
 * recorded as owned) or not (then the intent goes). Null when it was not bought.
 */
export async function settleBuying(actor: NumberActor, provider: NumberProvider, intent: ProvisionedNumberRecord): Promise<ProvisionedNumberRecord | null> {
  const found = await provider.port.numbers.findOwned(intent.phoneNumber);
  if (found) return markOwned(actor, intent, found.providerRef);
  await actor.ports.db.provisioning.deleteNumber(intent.id);
  return null;
}
