/**
 * Contract of the usage repository (ports/usage.ts), part of the `db` port's suite: limit counters that
 * are claimed all or none and never pass their cap (also under concurrency), adjustments, usage records,
 * per-agent limits, once-only alerts, and outbox events without a message. Same lifecycle as
 * `describeDatabaseContract`, which runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../ports/repositories.js';
import type { MessageRecord } from '../ports/records.js';
import type { CounterClaim, UsageRecord } from '../ports/usage.js';

export interface UsageContractOptions {
  factory: () => Promise<Database>;
  teardown?: (db: Database) => Promise<void>;
}

const DAY_START = new Date('2026-11-30T00:00:00.000Z');
const DAY_END = new Date('2026-12-01T00:00:00.000Z');
const NOW = new Date('2026-11-30T10:00:00.123Z');

const NEXT_DAY_END = new Date('2026-12-02T00:00:00.000Z');

/** A claim on today's window, or on tomorrow's with `tomorrow`. */
const claim = (counter: string, amount: number, cap: number, tomorrow = false): CounterClaim => ({
  counter, windowStart: tomorrow ? DAY_END : DAY_START, windowEnd: tomorrow ? NEXT_DAY_END : DAY_END, amount, cap,
});

export function describeUsageContract(options: UsageContractOptions): void {
  describe('usage', () => {
    let db: Database;
    let agentId: string;
    let n = 0;

    beforeEach(async () => {
      db = await options.factory();
      await db.migrate();
      agentId = `agt_usage_${++n}`;
      await db.agents.create({
        id: agentId, name: 'usage', tokenHash: `hash-${agentId}`, callbackUrl: null, callbackSecret: 'whsec_x', status: 'active', voice: {}, createdAt: NOW, updatedAt: NOW,
      }, []);
    });

    afterEach(async () => {
      await db.close();
      await options.teardown?.(db);
    });

    const used = async (counter: string): Promise<number | undefined> =>
      (await db.usage.counters(agentId, NOW)).find((c) => c.counter === counter)?.used;

    const record = (overrides: Partial<UsageRecord> = {}): UsageRecord => ({
      id: `use_${Math.random().toString(36).slice(2)}`, agentId, channel: 'sms', action: 'message', units: 2, unit: 'segment', provider: 'mock',
      destination: '+1', costMicros: 15_800, priceMicros: 18_960, markupBasisPoints: 2_000, currency: 'USD', costSource: 'price-table', state: 'held',
      heldUntil: new Date(NOW.getTime() + 60_000), shares: [{ counter: 'spend:day', windowStart: DAY_START, windowEnd: DAY_END, amount: 18_960, kind: 'spend' }],
      messageId: 'msg_1', callId: null, createdAt: NOW, updatedAt: NOW, ...overrides,
    });

    it('claims every counter up to its cap exactly, and returns the new values', async () => {
      expect(await db.usage.reserve(agentId, [claim('a', 2, 3), claim('b', 1, 1)], [])).toMatchObject({ ok: true, values: expect.arrayContaining([expect.objectContaining({ counter: 'a', used: 2 }), expect.objectContaining({ counter: 'b', used: 1 })]) });
      expect(await db.usage.reserve(agentId, [claim('a', 1, 3)], [])).toMatchObject({ ok: true, values: [{ counter: 'a', used: 3, windowStart: DAY_START, windowEnd: DAY_END }] });
      expect(await db.usage.reserve(agentId, [claim('a', 1, 3)], [])).toEqual({ ok: false, refused: claim('a', 1, 3), used: 3 });
    });

    it('claims all or none: one full counter leaves every other one unchanged', async () => {
      await db.usage.reserve(agentId, [claim('full', 1, 1)], []);
      expect(await db.usage.reserve(agentId, [claim('free', 5, 100), claim('full', 1, 1)], [])).toMatchObject({ ok: false, refused: { counter: 'full' }, used: 1 });
      expect((await used('free')) ?? 0).toBe(0);
      expect(await db.usage.reserve(agentId, [claim('x', 7, 5)], [])).toMatchObject({ ok: false, refused: { counter: 'x' }, used: 0 });
    });

    it('stores the usage records with the claims, and neither when a claim is refused', async () => {
      const kept = record({ id: 'use_kept' });
      expect(await db.usage.reserve(agentId, [claim('one', 1, 1)], [kept])).toMatchObject({ ok: true, values: [{ counter: 'one', used: 1 }] });
      expect(await db.usage.findByMessage('msg_1')).toEqual([kept]);
      const refused = record({ id: 'use_refused', messageId: 'msg_2' });
      expect(await db.usage.reserve(agentId, [claim('free', 5, 100), claim('one', 1, 1)], [refused])).toMatchObject({ ok: false, refused: { counter: 'one' }, used: 1 });
      expect(await db.usage.findByMessage('msg_2')).toEqual([]);
      expect((await used('free')) ?? 0).toBe(0);
    });

    it('claims nothing when its records cannot be stored', async () => {
      await db.usage.insertRecords([record({ id: 'use_taken' })]);
      await expect(db.usage.reserve(agentId, [claim('one', 1, 1), claim('spend', 10, 100)], [record({ id: 'use_taken', messageId: 'msg_3' })])).rejects.toThrow();
      expect((await used('one')) ?? 0).toBe(0);
      expect((await used('spend')) ?? 0).toBe(0);
      expect(await db.usage.reserve(agentId, [claim('one', 1, 1)], [record({ id: 'use_free', messageId: 'msg_3' })])).toMatchObject({ ok: true });
    });

    it('keeps windows and agents apart', async () => {
      await db.usage.reserve(agentId, [claim('a', 1, 1)], []);
      expect(await db.usage.reserve(agentId, [claim('a', 1, 1, true)], [])).toMatchObject({ ok: true });
      const counters = await db.usage.counters(agentId, DAY_START);
      expect(counters.map((c) => [c.counter, c.windowStart.toISOString(), c.used])).toEqual([
        ['a', DAY_START.toISOString(), 1], ['a', DAY_END.toISOString(), 1],
      ]);
      expect(await db.usage.counters(agentId, DAY_END)).toHaveLength(1);
      expect(await db.usage.counters('agt_other', DAY_START)).toEqual([]);
    });

    it('lets exactly `cap` of many concurrent claims through', async () => {
      const outcomes = await Promise.all(Array.from({ length: 40 }, () => db.usage.reserve(agentId, [claim('race', 1, 10), claim('spend', 100, 1_000_000)], [])));
      expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
      expect(await used('race')).toBe(10);
      expect(await used('spend')).toBe(1_000);
    });

    it('gives concurrent reservations the values of one after the other, and stores all their records', async () => {
      const records = Array.from({ length: 12 }, (_, i) => record({ id: `use_together_${i}`, messageId: 'msg_together' }));
      const outcomes = await Promise.all(records.map((r, i) => db.usage.reserve(agentId, [claim('spend', 10, 1_000), claim(`contact:${i % 3}`, 1, 100)], [r])));
      const spent = outcomes.map((o) => (o.ok ? o.values.find((v) => v.counter === 'spend')?.used : undefined));
      expect(spent.sort((a, b) => a! - b!)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 10));
      expect(await used('spend')).toBe(120);
      expect(await used('contact:0')).toBe(4);
      expect((await db.usage.findByMessage('msg_together')).map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    });

    it('among concurrent reservations, fails only the one whose records cannot be stored', async () => {
      await db.usage.insertRecords([record({ id: 'use_dup' })]);
      const ids = ['use_ok_1', 'use_dup', 'use_ok_2', 'use_ok_3'];
      const outcomes = await Promise.allSettled(ids.map((id) => db.usage.reserve(agentId, [claim('spend', 10, 1_000)], [record({ id, messageId: `msg_${id}` })])));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(await used('spend')).toBe(30);
    });

    it('adjusts past the cap and back (settlements, releases); the next claim then sees the real value', async () => {
      await db.usage.reserve(agentId, [claim('s', 8, 10)], []);
      await db.usage.adjust(agentId, [{ counter: 's', windowStart: DAY_START, windowEnd: DAY_END, amount: 5 }]);
      expect(await used('s')).toBe(13);
      expect(await db.usage.reserve(agentId, [claim('s', 0, 10)], [])).toMatchObject({ ok: false, used: 13 });
      await db.usage.adjust(agentId, [{ counter: 's', windowStart: DAY_START, windowEnd: DAY_END, amount: -6 }]);
      expect(await db.usage.reserve(agentId, [claim('s', 3, 10)], [])).toMatchObject({ ok: true, values: [{ used: 10 }] });
      await db.usage.adjust(agentId, [{ counter: 'refused:RATE_LIMITED', windowStart: DAY_START, windowEnd: DAY_END, amount: 1 }]);
      expect((await db.usage.counters(null, NOW, 'refused:')).map((c) => [c.agentId, c.counter, c.used])).toEqual([[agentId, 'refused:RATE_LIMITED', 1]]);
    });

    it('prunes counters whose window ended', async () => {
      await db.usage.reserve(agentId, [claim('old', 1, 5), claim('new', 1, 5, true)], []);
      expect(await db.usage.pruneCounters(DAY_END)).toBe(0);
      expect(await db.usage.pruneCounters(new Date(DAY_END.getTime() + 1))).toBe(1);
      expect((await db.usage.counters(agentId, DAY_START)).map((c) => c.counter)).toEqual(['new']);
    });

    it('stores usage records, finds them by message and call, and updates only from the given states', async () => {
      const held = record();
      const call = record({ id: 'use_call', messageId: null, callId: 'call_1', channel: 'voice', action: 'call', unit: 'minute' });
      await db.usage.insertRecords([held, call]);
      expect(await db.usage.findByMessage('msg_1')).toEqual([held]);
      expect(await db.usage.findByCall('call_1')).toEqual([call]);
      expect(await db.usage.updateRecord(held.id, { state: 'charged', heldUntil: null, costMicros: 1, costSource: 'provider', updatedAt: NOW }, ['held'])).toBe(true);
      expect(await db.usage.updateRecord(held.id, { state: 'released', updatedAt: NOW }, ['held'])).toBe(false);
      expect((await db.usage.findByMessage('msg_1'))[0]).toMatchObject({ state: 'charged', heldUntil: null, costMicros: 1, costSource: 'provider' });
    });

    it('lists expired holds oldest first, and totals by agent, UTC day and channel without released ones', async () => {
      const early = record({ id: 'use_a', heldUntil: new Date(NOW.getTime() + 1) });
      const late = record({ id: 'use_b', heldUntil: new Date(NOW.getTime() + 2), createdAt: new Date('2026-11-29T23:59:59.999Z') });
      const gone = record({ id: 'use_c', state: 'released', heldUntil: null });
      await db.usage.insertRecords([late, early, gone]);
      expect((await db.usage.expiredHolds(new Date(NOW.getTime() + 2), 10)).map((r) => r.id)).toEqual(['use_a', 'use_b']);
      expect((await db.usage.expiredHolds(new Date(NOW.getTime() + 1), 10)).map((r) => r.id)).toEqual(['use_a']);
      expect(await db.usage.totals({ agentId, since: new Date('2026-11-01'), until: DAY_END })).toEqual([
        { agentId, day: '2026-11-29', channel: 'sms', action: 'message', unit: 'segment', records: 1, units: 2, costMicros: 15_800, priceMicros: 18_960 },
        { agentId, day: '2026-11-30', channel: 'sms', action: 'message', unit: 'segment', records: 1, units: 2, costMicros: 15_800, priceMicros: 18_960 },
      ]);
    });

    it('charges in one go the expired holds whose message reached the provider, and leaves the others to be looked at one by one', async () => {
      const outbound = (id: string, o: { status: MessageRecord['status']; providerMessageId?: string; errorCode?: string }): MessageRecord => ({
        id, agentId, channel: 'sms', direction: 'outbound', from: '+15550100001', to: '+15550100002', body: 'b', status: o.status, provider: 'mock',
        providerMessageId: o.providerMessageId ?? null, idempotencyKey: null, requestHash: null, errorCode: o.errorCode ?? null, errorMessage: null,
        metadata: {}, createdAt: NOW, updatedAt: NOW,
      });
      const messages = [
        outbound('msg_accepted', { status: 'sent', providerMessageId: 'SM1' }),
        outbound('msg_delivered_no_id', { status: 'delivered' }),
        outbound('msg_timed_out', { status: 'failed', errorCode: 'PROVIDER_TIMEOUT' }),
        outbound('msg_refused', { status: 'failed', errorCode: 'PROVIDER_REJECTED' }),
        outbound('msg_pending', { status: 'pending' }),
      ];
      for (const m of messages) await db.messages.insertOutbound(m);
      const expired = new Date(NOW.getTime() + 1);
      const holds = messages.map((m, i) => record({ id: `use_${m.id}`, messageId: m.id, heldUntil: new Date(expired.getTime() - i) }));
      const notYet = record({ id: 'use_not_yet', messageId: 'msg_accepted', heldUntil: new Date(expired.getTime() + 60_000) });
      const call = record({ id: 'use_call', messageId: null, callId: 'call_1', heldUntil: expired });
      const orphan = record({ id: 'use_orphan', messageId: 'msg_never_stored', heldUntil: expired });
      await db.usage.insertRecords([...holds, notYet, call, orphan]);
      const later = new Date(expired.getTime() + 5);
      expect(await db.usage.chargeReachedMessageHolds(expired, later, 2)).toBe(2);
      expect(await db.usage.chargeReachedMessageHolds(expired, later, 10)).toBe(1);
      expect(await db.usage.chargeReachedMessageHolds(expired, later, 10)).toBe(0);
      const states = Object.fromEntries(await Promise.all(['msg_accepted', 'msg_delivered_no_id', 'msg_timed_out', 'msg_refused', 'msg_pending', 'msg_never_stored']
        .map(async (id) => [id, (await db.usage.findByMessage(id)).map((r) => `${r.id}:${r.state}`).sort().join(',')])));
      expect(states).toEqual({
        msg_accepted: 'use_msg_accepted:charged,use_not_yet:held',
        msg_delivered_no_id: 'use_msg_delivered_no_id:charged',
        msg_timed_out: 'use_msg_timed_out:charged',
        msg_refused: 'use_msg_refused:held',
        msg_pending: 'use_msg_pending:held',
        msg_never_stored: 'use_orphan:held',
      });
      expect((await db.usage.findByMessage('msg_accepted')).find((r) => r.id === 'use_msg_accepted')).toMatchObject({ heldUntil: null, updatedAt: later });
      expect((await db.usage.findByCall('call_1'))[0]?.state).toBe('held');
    });

    it('stores per-agent limits and replaces them', async () => {
      expect(await db.usage.getLimits(agentId)).toBeNull();
      await db.usage.setLimits({ agentId, tier: 'gold', overrides: { spend: { perDay: '5' } }, updatedAt: NOW });
      await db.usage.setLimits({ agentId, tier: null, overrides: { actions: { sms: { perMinute: null } } }, updatedAt: NOW });
      expect(await db.usage.getLimits(agentId)).toEqual({ agentId, tier: null, overrides: { actions: { sms: { perMinute: null } } }, updatedAt: NOW });
      expect(await db.usage.listLimits()).toHaveLength(1);
    });

    it('marks an alert once per period and threshold, also when raced', async () => {
      const firsts = await Promise.all(Array.from({ length: 5 }, () => db.usage.markAlert(agentId, 'spend:day:2026-11-30', 80, NOW)));
      expect(firsts.filter(Boolean)).toHaveLength(1);
      expect(await db.usage.markAlert(agentId, 'spend:day:2026-11-30', 100, NOW)).toBe(true);
      expect(await db.usage.markAlert(agentId, 'spend:day:2026-12-01', 80, NOW)).toBe(true);
    });

    it('queues an outbox event that belongs to no message', async () => {
      const event = {
        id: 'evt_usage', agentId, messageId: null, url: 'https://agent.example/cb', payload: '{"type":"usage.threshold"}', status: 'pending' as const,
        attempts: 0, nextAttemptAt: NOW, lastError: null, createdAt: NOW, updatedAt: NOW,
      };
      await db.callbacks.enqueue(event);
      expect(await db.callbacks.due(NOW, 10)).toEqual([event]);
    });
  });
}
