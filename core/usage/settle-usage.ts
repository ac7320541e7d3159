import type { CallLogRecord, MessageRecord } from '../../ports/records.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { Repositories } from '../../ports/repositories.js';
import type { UsageRecord } from '../../ports/usage.js';
import type { CorePorts } from '../context.js';
import { isFinal } from '../calls/call-progress.js';
import { withMarkup } from './money.js';
import { unitPrice } from './pricing.js';

/** Provider failures after which nothing was sent: the reservation is given back. */
const NOTHING_SENT = new Set(['PROVIDER_REJECTED', 'PROVIDER_AUTH_FAILED', 'PROVIDER_UNAVAILABLE', 'RATE_LIMITED', 'INVALID_PHONE_NUMBER', 'INVALID_EMAIL_ADDRESS', 'INVALID_INPUT', 'CHANNEL_NOT_CONFIGURED', 'TEMPLATE_REQUIRED', 'OPTED_OUT']);

/** Whether a provider error code means the action certainly did not happen (not a timeout, not unknown). */
export function nothingSent(code: string | null): boolean {
  return code !== null && NOTHING_SENT.has(code);
}

async function releaseIn(tx: Repositories, record: UsageRecord, now: Date): Promise<void> {
  if (!(await tx.usage.updateRecord(record.id, { state: 'released', heldUntil: null, updatedAt: now }, ['held']))) return;
  await tx.usage.adjust(record.agentId, record.shares.map((s) => ({ ...s, amount: -s.amount })));
}

/** The provider refused: give back every counter the records hold (actions, contacts and spend). */
export async function releaseUsage(ports: CorePorts, records: readonly UsageRecord[]): Promise<void> {
  const held = records.filter((r) => r.state === 'held');
  if (held.length === 0) return;
  const now = ports.clock.now();
  await ports.db.transaction(async (tx) => {
    for (const record of held) await releaseIn(tx, record, now);
  });
}

/** Charges a record at its real units and cost: its price and spending shares follow the new cost. */
async function settleIn(tx: Repositories, record: UsageRecord, actual: { units: number; costMicros: number; costSource: UsageRecord['costSource'] }, now: Date): Promise<void> {
  const priceMicros = withMarkup(actual.costMicros, record.markupBasisPoints);
  const delta = priceMicros - record.priceMicros;
  const shares = record.shares.map((s) => (s.kind === 'spend' ? { ...s, amount: s.amount + delta } : s));
  const applied = await tx.usage.updateRecord(
    record.id, { ...actual, priceMicros, shares, state: 'charged', heldUntil: null, updatedAt: now }, ['held', 'charged'],
  );
  if (applied && delta !== 0) await tx.usage.adjust(record.agentId, record.shares.filter((s) => s.kind === 'spend').map((s) => ({ ...s, amount: delta })));
}

/** The call's minutes (rounded up, 0 when never answered) and cost: the provider's price when reported in our currency. */
function callCost(ports: CorePorts, record: UsageRecord, call: CallLogRecord): { units: number; costMicros: number; costSource: UsageRecord['costSource'] } {
  const units = call.durationSeconds && call.answeredAt ? Math.ceil(call.durationSeconds / 60) : 0;
  if (call.priceMicros !== null && call.currency === ports.settings.usage.currency) {
    return { units, costMicros: Math.abs(call.priceMicros), costSource: 'provider' };
  }
  const { micros } = unitPrice(ports.settings.usage.prices, record.provider, 'voice', call.to);
  return { units, costMicros: micros * units, costSource: 'price-table' };
}

/** The call with the provider's price: from its status report, else read from the provider's record. */
async function pricedCall(ports: CorePorts, call: CallLogRecord): Promise<CallLogRecord> {
  const fetchPrice = ports.telephony?.port.calls?.fetchCallPrice;
  if (call.priceMicros !== null || !call.providerCallId || !fetchPrice) return call;
  try {
    const price = await fetchPrice.call(ports.telephony!.port.calls, call.providerCallId);
    return price ? { ...call, priceMicros: price.priceMicros, currency: price.currency } : call;
  } catch (err) {
    ports.logger.warn({ callId: call.id, code: (err as { code?: string }).code }, 'call price not available: the price table\'s estimate stays');
    return call;
  }
}

/** A call ended: charge its real minutes, at the provider's price when it reports one. */
export async function settleCallUsage(ports: CorePorts, ended: CallLogRecord): Promise<void> {
  if (!ports.settings.usage.enabled) return;
  const records = (await ports.db.usage.findByCall(ended.id)).filter((r) => r.action === 'call' && r.state !== 'released');
  if (records.length === 0) return;
  const call = await pricedCall(ports, ended);
  const now = ports.clock.now();
  await ports.db.transaction(async (tx) => {
    for (const record of records) await settleIn(tx, record, callCost(ports, record, call), now);
  });
}

/**
 * An SMS was delivered (or not, but carried): its cost as the provider charged it (Twilio `price`, read
 * from the message resource, since status callbacks do not carry it) replaces the table's estimate.
 */
export async function settleSmsPrice(ports: CorePorts, telephony: TelephonyPort, message: MessageRecord, providerMessageId: string): Promise<void> {
  if (!ports.settings.usage.enabled || !telephony.fetchSmsPrice) return;
  try {
    const price = await telephony.fetchSmsPrice(providerMessageId);
    if (price && price.currency === ports.settings.usage.currency) await settleMessageCost(ports, message.id, price.priceMicros);
  } catch (err) {
    ports.logger.warn({ messageId: message.id, providerMessageId, code: (err as { code?: string }).code }, 'message price not available: the price table\'s estimate stays');
  }
}

async function settleMessageCost(ports: CorePorts, messageId: string, costMicros: number): Promise<void> {
  const records = (await ports.db.usage.findByMessage(messageId)).filter((r) => r.state !== 'released');
  const now = ports.clock.now();
  await ports.db.transaction(async (tx) => {
    for (const record of records) await settleIn(tx, record, { units: record.units, costMicros: Math.abs(costMicros), costSource: 'provider' }, now);
  });
}

/**
 * A send that recovery settled after a crash: its held reservation is charged when the provider has (or may have)
 * the message, and given back when it certainly never had it.
 */
export async function settleAbandonedMessage(ports: CorePorts, messageId: string, reachedProvider: boolean): Promise<void> {
  const held = (await ports.db.usage.findByMessage(messageId)).filter((r) => r.state === 'held');
  if (held.length === 0) return;
  if (!reachedProvider) return releaseUsage(ports, held);
  const now = ports.clock.now();
  for (const record of held) await ports.db.usage.updateRecord(record.id, { state: 'charged', heldUntil: null, updatedAt: now }, ['held']);
}

export const SWEEP_BATCH = 100;

/**
 * Resolves reservations still `held` after their time (a send whose price no report settled, a crash
 * between reservation and send, or a lost answer): charged when the provider has the message or call, released when it never did. A call still
 * in progress keeps its hold a while longer. Returns how many were looked at: SWEEP_BATCH or more when more may be left.
 */
export async function resolveExpiredHolds(ports: CorePorts): Promise<number> {
  const now = ports.clock.now();
  // Most holds are of messages the provider accepted: charged together, in one statement.
  const charged = await ports.db.usage.chargeReachedMessageHolds(now, now, SWEEP_BATCH);
  const expired = await ports.db.usage.expiredHolds(now, SWEEP_BATCH);
  const extendTo = new Date(now.getTime() + ports.settings.usage.holdSeconds * 1000);
  for (const record of expired) {
    if (record.callId) {
      const call = await ports.db.calls.findById(record.callId);
      if (call?.providerCallId && !isFinal(call.status)) await ports.db.usage.updateRecord(record.id, { heldUntil: extendTo, updatedAt: now }, ['held']);
      else if (call?.providerCallId) await settleCallUsage(ports, call);
      else await ports.db.transaction((tx) => releaseIn(tx, record, now));
      continue;
    }
    const message = record.messageId ? await ports.db.messages.findById(record.messageId) : null;
    const reachedProvider = message !== null && (message.providerMessageId !== null || (message.status !== 'pending' && message.status !== 'failed') || message.errorCode === 'PROVIDER_TIMEOUT');
    if (reachedProvider) await ports.db.usage.updateRecord(record.id, { state: 'charged', heldUntil: null, updatedAt: now }, ['held']);
    else await ports.db.transaction((tx) => releaseIn(tx, record, now));
  }
  return charged + expired.length;
}
