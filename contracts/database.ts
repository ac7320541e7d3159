/**
 * Contract suite of the `db` port (ports/repositories.ts). Any adapter, ours or a third party's, runs it
 * from a vitest file:
 *
 *   describeDatabaseContract({ name: 'my-db', factory: async () => openMyDatabase(), teardown: dropIt });
 *
 * Lifecycle per test: `factory()` must return a fresh, empty, isolated database that has NOT been
 * migrated; the suite calls `migrate()` itself (and checks what it returns), runs one test, calls
 * `close()` (unless the test did), then `teardown(db)` if given, to delete files or schemas.
 *
 * Only behaviour visible through the port is asserted; timestamps are compared to the millisecond.
 * `databasePluginContext(dir)` gives a plugin's `create` the minimal context it needs in a test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../ports/errors.js';
import type { PluginContext, ProviderEventSink } from '../ports/plugin.js';
import type {
  AgentChannelRecord, AgentRecord, CallbackDeliveryRecord, Channel, Direction, MessageRecord,
} from '../ports/records.js';
import type { Database, MessageQuery } from '../ports/repositories.js';
import type { Logger } from '../ports/runtime.js';

export interface DatabaseContractOptions {
  name: string;
  /** A fresh, empty, not yet migrated database, isolated from every other test. */
  factory: () => Promise<Database>;
  /** Called after `close()`: remove what the factory created. */
  teardown?: (db: Database) => Promise<void>;
}

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Ignores every provider event; a Proxy, so events added to the port later need no change here. */
const ignoredEvents = new Proxy({}, { get: () => () => undefined }) as ProviderEventSink;

/**
 * The least PluginContext a db plugin needs in a test: silent logger, system clock, counter ids, no
 * provider events, and `dir` as both the configuration and the data folder.
 */
export function databasePluginContext(dir: string): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}_${String(++counter).padStart(6, '0')}` },
    publicBaseUrl: 'http://127.0.0.1:9',
    configDir: dir,
    dataDir: dir,
    events: ignoredEvents,
  };
}

const T0 = Date.parse('2026-11-24T10:00:00.123Z');
const at = (offsetMs: number): Date => new Date(T0 + offsetMs);

/** Zero-padded counters: ids sort the same way as their creation order, in any byte-order comparison. */
function idMaker(): (prefix: string) => string {
  let counter = 0;
  return (prefix) => `${prefix}_${String(++counter).padStart(6, '0')}`;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return isDomainError(err) ? err.code : `non-domain error: ${String(err)}`;
  }
  return 'no error';
}

export function describeDatabaseContract(options: DatabaseContractOptions): void {
  describe(`db contract: ${options.name}`, () => {
    let db: Database;
    let closed: boolean;
    let firstMigration: string[];
    let nextId: (prefix: string) => string;

    beforeEach(async () => {
      db = await options.factory();
      closed = false;
      firstMigration = await db.migrate();
      nextId = idMaker();
    });

    afterEach(async () => {
      if (!closed) await db.close();
      await options.teardown?.(db);
    });

    const agent = (overrides: Partial<AgentRecord> = {}): AgentRecord => {
      const id = overrides.id ?? nextId('agt');
      return {
        id,
        name: `Agent ${id}`,
        tokenHash: `hash-of-${id}`,
        callbackUrl: 'https://agent.example/callbacks',
        callbackSecret: `whsec_${id}`,
        status: 'active',
        createdAt: at(0),
        updatedAt: at(0),
        ...overrides,
      };
    };

    const channel = (agentId: string, kind: Channel, address: string): AgentChannelRecord => ({
      id: nextId('chn'), agentId, channel: kind, address, createdAt: at(0),
    });

    const message = (agentId: string, overrides: Partial<MessageRecord> = {}): MessageRecord => {
      const direction: Direction = overrides.direction ?? 'outbound';
      return {
        id: nextId('msg'),
        agentId,
        channel: 'sms',
        direction,
        from: direction === 'outbound' ? '+15550000001' : '+15550009999',
        to: direction === 'outbound' ? '+15550009999' : '+15550000001',
        body: 'Hello from the contract suite',
        status: direction === 'outbound' ? 'pending' : 'received',
        provider: 'mock',
        providerMessageId: direction === 'inbound' ? nextId('SM') : null,
        idempotencyKey: null,
        requestHash: null,
        errorCode: null,
        errorMessage: null,
        metadata: { segments: 1, media: ['https://media.example/a.png'], nested: { ok: true } },
        createdAt: at(0),
        updatedAt: at(0),
        ...overrides,
      };
    };

    const delivery = (m: MessageRecord, overrides: Partial<CallbackDeliveryRecord> = {}): CallbackDeliveryRecord => ({
      id: nextId('dlv'),
      agentId: m.agentId,
      messageId: m.id,
      url: 'https://agent.example/callbacks',
      payload: JSON.stringify({ type: 'message.received', messageId: m.id }),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: m.createdAt,
      lastError: null,
      createdAt: m.createdAt,
      updatedAt: m.createdAt,
      ...overrides,
    });

    /** Stores an agent with one sms channel and returns it. */
    const storedAgent = async (overrides: Partial<AgentRecord> = {}): Promise<AgentRecord> => {
      const a = agent(overrides);
      await db.agents.create(a, [channel(a.id, 'sms', `+1555${a.id.slice(-6)}`)]);
      return a;
    };

    /** Stores an inbound message with its delivery and returns both. */
    const storedInbound = async (agentId: string, overrides: Partial<MessageRecord> = {}) => {
      const m = message(agentId, { direction: 'inbound', status: 'received', ...overrides });
      const d = delivery(m);
      const outcome = await db.messages.insertInbound(m, d);
      expect(outcome.inserted).toBe(true);
      return { message: m, delivery: d };
    };

    describe('lifecycle', () => {
      it('migrate() applies migrations on a fresh database and is a no-op the second time', async () => {
        expect(firstMigration.length).toBeGreaterThan(0);
        for (const name of firstMigration) expect(typeof name).toBe('string');
        expect(await db.migrate()).toEqual([]);
      });

      it('ping() resolves on a reachable database', async () => {
        await expect(db.ping()).resolves.toBeUndefined();
      });

      it('close() resolves after pending work is done', async () => {
        const a = agent();
        const pending = db.agents.create(a, []);
        closed = true;
        await db.close();
        await expect(pending).resolves.toBeUndefined();
      });
    });

    describe('agents', () => {
      it('creates an agent with its channels and finds it by id and by token hash', async () => {
        const a = agent({ callbackUrl: null });
        const channels = [channel(a.id, 'sms', '+15551230001'), channel(a.id, 'email', 'agent@mail.example')];
        await db.agents.create(a, channels);

        expect(await db.agents.findById(a.id)).toEqual(a);
        expect(await db.agents.findByTokenHash(a.tokenHash)).toEqual(a);
        expect(await db.agents.findById('agt_unknown')).toBeNull();
        expect(await db.agents.findByTokenHash('no-such-hash')).toBeNull();

        const listed = await db.agents.listChannels(a.id);
        expect([...listed].sort((x, y) => x.id.localeCompare(y.id))).toEqual(channels);
        expect(await db.agents.findChannel(a.id, 'email')).toEqual(channels[1]);
        expect(await db.agents.findChannel(a.id, 'whatsapp')).toBeNull();
        expect(await db.agents.listChannels('agt_unknown')).toEqual([]);
      });

      it('keeps status and timestamps as written', async () => {
        const a = agent({ status: 'disabled', createdAt: at(1), updatedAt: at(2_345) });
        await db.agents.create(a, []);
        const found = await db.agents.findById(a.id);
        expect(found?.status).toBe('disabled');
        expect(found?.createdAt.getTime()).toBe(at(1).getTime());
        expect(found?.updatedAt.getTime()).toBe(at(2_345).getTime());
      });

      it('allows one address on different channels', async () => {
        const a = agent();
        const b = agent();
        await db.agents.create(a, [channel(a.id, 'sms', '+15551230002')]);
        await db.agents.create(b, [channel(b.id, 'whatsapp', '+15551230002')]);
        expect((await db.agents.findChannel(b.id, 'whatsapp'))?.address).toBe('+15551230002');
      });

      it('refuses an address already taken on that channel with CONFLICT and writes nothing', async () => {
        const owner = agent();
        await db.agents.create(owner, [channel(owner.id, 'sms', '+15551230003')]);

        const late = agent();
        const lateChannels = [
          channel(late.id, 'email', 'free@mail.example'),
          channel(late.id, 'sms', '+15551230003'),
        ];
        expect(await codeOf(db.agents.create(late, lateChannels))).toBe('CONFLICT');

        expect(await db.agents.findById(late.id)).toBeNull();
        expect(await db.agents.findByTokenHash(late.tokenHash)).toBeNull();
        expect(await db.agents.listChannels(late.id)).toEqual([]);
        expect((await db.agents.findChannel(owner.id, 'sms'))?.address).toBe('+15551230003');
        // The free address of the refused agent was not kept either.
        const other = agent();
        await db.agents.create(other, [channel(other.id, 'email', 'free@mail.example')]);
        expect((await db.agents.findChannel(other.id, 'email'))?.address).toBe('free@mail.example');
      });

      it('refuses the same address twice in one create with CONFLICT', async () => {
        const a = agent();
        const result = db.agents.create(a, [channel(a.id, 'sms', '+15551230004'), channel(a.id, 'sms', '+15551230004')]);
        expect(await codeOf(result)).toBe('CONFLICT');
        expect(await db.agents.findById(a.id)).toBeNull();
      });

      it('lets exactly one of two concurrent creates claim an address', async () => {
        const a = agent();
        const b = agent();
        const codes = await Promise.all([
          codeOf(db.agents.create(a, [channel(a.id, 'sms', '+15551230005')])),
          codeOf(db.agents.create(b, [channel(b.id, 'sms', '+15551230005')])),
        ]);
        expect(codes.sort()).toEqual(['CONFLICT', 'no error']);
        const owners = [await db.agents.findById(a.id), await db.agents.findById(b.id)].filter(Boolean);
        expect(owners).toHaveLength(1);
      });
    });

    describe('outbound messages', () => {
      it('inserts a message and reads it back unchanged', async () => {
        const a = await storedAgent();
        const m = message(a.id, {
          idempotencyKey: 'key-1', requestHash: 'req-hash', errorCode: null, body: 'Ünïcødé ✓ "quotes" \'single\'',
        });
        const outcome = await db.messages.insertOutbound(m);
        expect(outcome).toEqual({ inserted: true, message: m });
        expect(await db.messages.findById(m.id)).toEqual(m);
        expect(await db.messages.findById('msg_unknown')).toBeNull();
      });

      it('returns the stored message for a reused idempotency key and writes nothing', async () => {
        const a = await storedAgent();
        const first = message(a.id, { idempotencyKey: 'key-1', requestHash: 'h1' });
        await db.messages.insertOutbound(first);

        const retry = message(a.id, { idempotencyKey: 'key-1', requestHash: 'h2', body: 'different' });
        const outcome = await db.messages.insertOutbound(retry);
        expect(outcome).toEqual({ inserted: false, message: first });
        expect(await db.messages.findById(retry.id)).toBeNull();
      });

      it('scopes idempotency keys to the agent and ignores null keys', async () => {
        const a = await storedAgent();
        const b = await storedAgent();
        expect((await db.messages.insertOutbound(message(a.id, { idempotencyKey: 'shared' }))).inserted).toBe(true);
        expect((await db.messages.insertOutbound(message(b.id, { idempotencyKey: 'shared' }))).inserted).toBe(true);
        expect((await db.messages.insertOutbound(message(a.id))).inserted).toBe(true);
        expect((await db.messages.insertOutbound(message(a.id))).inserted).toBe(true);
        expect(await db.messages.list({ agentId: a.id, limit: 10 })).toHaveLength(3);
      });

      it('lets exactly one of many concurrent inserts with one key through', async () => {
        const a = await storedAgent();
        const attempts = Array.from({ length: 20 }, () => message(a.id, { idempotencyKey: 'race' }));
        const outcomes = await Promise.all(attempts.map((m) => db.messages.insertOutbound(m)));

        const winners = outcomes.filter((o) => o.inserted);
        expect(winners).toHaveLength(1);
        const winner = winners[0]?.message as MessageRecord;
        for (const outcome of outcomes) expect(outcome.message).toEqual(winner);
        expect(await db.messages.list({ agentId: a.id, limit: 100 })).toEqual([winner]);
      });
    });

    describe('inbound messages', () => {
      it('stores the message and its callback delivery together', async () => {
        const a = await storedAgent();
        const { message: m, delivery: d } = await storedInbound(a.id);
        expect(await db.messages.findById(m.id)).toEqual(m);
        expect(await db.messages.findByProviderId(a.id, 'sms', m.providerMessageId as string)).toEqual(m);
        expect(await db.callbacks.findById(d.id)).toEqual(d);
        expect(await db.callbacks.listForMessage(m.id)).toEqual([d]);
      });

      it('stores a message without delivery when none is given', async () => {
        const a = await storedAgent();
        const m = message(a.id, { direction: 'inbound', status: 'received' });
        expect(await db.messages.insertInbound(m, null)).toEqual({ inserted: true, message: m });
        expect(await db.callbacks.listForMessage(m.id)).toEqual([]);
      });

      it('stores a provider redelivery once, with one delivery', async () => {
        const a = await storedAgent();
        const { message: first, delivery: firstDelivery } = await storedInbound(a.id, { providerMessageId: 'SM-dup' });

        const again = message(a.id, { direction: 'inbound', status: 'received', providerMessageId: 'SM-dup' });
        const againDelivery = delivery(again);
        expect(await db.messages.insertInbound(again, againDelivery)).toEqual({ inserted: false, message: first });
        expect(await db.messages.findById(again.id)).toBeNull();
        expect(await db.callbacks.findById(againDelivery.id)).toBeNull();
        expect(await db.callbacks.listForMessage(first.id)).toEqual([firstDelivery]);
      });

      it('dedupes per agent and channel', async () => {
        const a = await storedAgent();
        const b = await storedAgent();
        await storedInbound(a.id, { providerMessageId: 'SM-same' });
        await storedInbound(b.id, { providerMessageId: 'SM-same' });
        await storedInbound(a.id, { providerMessageId: 'SM-same', channel: 'whatsapp' });
        expect(await db.messages.list({ agentId: a.id, limit: 10 })).toHaveLength(2);
      });

      it('stores concurrent redeliveries once, with exactly one delivery', async () => {
        const a = await storedAgent();
        const copies = Array.from({ length: 20 }, () =>
          message(a.id, { direction: 'inbound', status: 'received', providerMessageId: 'SM-race' }),
        );
        const deliveries = copies.map((m) => delivery(m));
        const outcomes = await Promise.all(copies.map((m, i) => db.messages.insertInbound(m, deliveries[i] ?? null)));

        const winners = outcomes.filter((o) => o.inserted);
        expect(winners).toHaveLength(1);
        const winner = winners[0]?.message as MessageRecord;
        for (const outcome of outcomes) expect(outcome.message).toEqual(winner);
        expect(await db.messages.list({ agentId: a.id, limit: 100 })).toEqual([winner]);
        const stored = await Promise.all(deliveries.map((d) => db.callbacks.findById(d.id)));
        expect(stored.filter(Boolean)).toHaveLength(1);
        expect(await db.callbacks.listForMessage(winner.id)).toHaveLength(1);
      });
    });

    describe('changeStatus', () => {
      it('applies a change only from one of the given statuses', async () => {
        const a = await storedAgent();
        const m = message(a.id);
        await db.messages.insertOutbound(m);

        expect(await db.messages.changeStatus(m.id, { status: 'sent', updatedAt: at(10) }, ['queued', 'sending'])).toBe(false);
        expect(await db.messages.findById(m.id)).toEqual(m);

        const change = { status: 'sent' as const, providerMessageId: 'SM-sent', updatedAt: at(20) };
        expect(await db.messages.changeStatus(m.id, change, ['pending'])).toBe(true);
        expect(await db.messages.findById(m.id)).toEqual({ ...m, status: 'sent', providerMessageId: 'SM-sent', updatedAt: at(20) });
        expect((await db.messages.findByProviderId(a.id, 'sms', 'SM-sent'))?.id).toBe(m.id);

        // Out of order: a late "queued" must not move a sent message backwards.
        expect(await db.messages.changeStatus(m.id, { status: 'queued', updatedAt: at(30) }, ['pending', 'accepted'])).toBe(false);
        expect((await db.messages.findById(m.id))?.status).toBe('sent');
      });

      it('returns false for an unknown message or an empty list of allowed statuses', async () => {
        const a = await storedAgent();
        const m = message(a.id);
        await db.messages.insertOutbound(m);
        expect(await db.messages.changeStatus('msg_unknown', { status: 'sent', updatedAt: at(1) }, ['pending'])).toBe(false);
        expect(await db.messages.changeStatus(m.id, { status: 'sent', updatedAt: at(1) }, [])).toBe(false);
        expect((await db.messages.findById(m.id))?.status).toBe('pending');
      });

      it('keeps fields that are left out, clears those set to null, replaces metadata when given', async () => {
        const a = await storedAgent();
        const m = message(a.id);
        await db.messages.insertOutbound(m);
        await db.messages.changeStatus(
          m.id,
          { status: 'failed', errorCode: 'PROVIDER_REJECTED', errorMessage: 'Rejected', updatedAt: at(5) },
          ['pending'],
        );
        expect(await db.messages.findById(m.id)).toEqual({
          ...m, status: 'failed', errorCode: 'PROVIDER_REJECTED', errorMessage: 'Rejected', updatedAt: at(5),
        });

        await db.messages.changeStatus(
          m.id,
          { status: 'pending', errorCode: null, errorMessage: null, metadata: { retried: true }, updatedAt: at(6) },
          ['failed'],
        );
        expect(await db.messages.findById(m.id)).toEqual({ ...m, status: 'pending', metadata: { retried: true }, updatedAt: at(6) });

        // Same status is allowed when listed: records a late provider id without moving the status.
        expect(await db.messages.changeStatus(m.id, { status: 'pending', providerMessageId: 'SM-late', updatedAt: at(7) }, ['pending'])).toBe(true);
        expect((await db.messages.findById(m.id))?.providerMessageId).toBe('SM-late');
      });
    });

    describe('list', () => {
      it('filters by channel, direction and contact, newest first, only the agent\'s own', async () => {
        const a = await storedAgent();
        const other = await storedAgent();
        const out1 = message(a.id, { to: '+15557770001', createdAt: at(1) });
        const out2 = message(a.id, { to: '+15557770002', createdAt: at(2) });
        const in1 = message(a.id, { direction: 'inbound', from: '+15557770001', createdAt: at(3) });
        const wa = message(a.id, { channel: 'whatsapp', to: '+15557770001', createdAt: at(4) });
        const foreign = message(other.id, { to: '+15557770001', createdAt: at(5) });
        for (const m of [out1, out2, wa, foreign]) await db.messages.insertOutbound(m);
        await db.messages.insertInbound(in1, null);

        const list = (q: Omit<MessageQuery, 'agentId' | 'limit'>) =>
          db.messages.list({ agentId: a.id, limit: 50, ...q }).then((ms) => ms.map((m) => m.id));
        expect(await list({})).toEqual([wa.id, in1.id, out2.id, out1.id]);
        expect(await list({ channel: 'sms' })).toEqual([in1.id, out2.id, out1.id]);
        expect(await list({ direction: 'inbound' })).toEqual([in1.id]);
        expect(await list({ direction: 'outbound', channel: 'sms' })).toEqual([out2.id, out1.id]);
        expect(await list({ contact: '+15557770001' })).toEqual([wa.id, in1.id, out1.id]);
        expect(await list({ contact: '+15557770001', direction: 'outbound' })).toEqual([wa.id, out1.id]);
        expect(await list({ contact: '+15557770001', direction: 'inbound' })).toEqual([in1.id]);
        // The contact is the other party: our own number matches nothing.
        expect(await list({ contact: '+15550000001', direction: 'outbound' })).toEqual([]);
        expect(await db.messages.list({ agentId: a.id, limit: 2 })).toEqual([wa, in1]);
        expect(await db.messages.list({ agentId: 'agt_unknown', limit: 10 })).toEqual([]);
      });

      it('keeps only messages created at or after `since`', async () => {
        const a = await storedAgent();
        const ms = [1, 2, 3, 4].map((i) => message(a.id, { createdAt: at(i) }));
        for (const m of ms) await db.messages.insertOutbound(m);
        const ids = (await db.messages.list({ agentId: a.id, since: at(2), limit: 10 })).map((m) => m.id);
        expect(ids).toEqual([ms[3]?.id, ms[2]?.id, ms[1]?.id]);
      });

      it('pages newest first with a (createdAt, id) cursor, ties broken by id, no gaps or repeats', async () => {
        const a = await storedAgent();
        // Seven messages share one millisecond; the others sit on either side of it.
        const offsets = [0, 5, 5, 5, 5, 5, 5, 5, 9, 12];
        const all = offsets.map((offset) => message(a.id, { createdAt: at(offset), updatedAt: at(offset) }));
        // Insert in a scrambled order so neither insertion order nor rowid can stand in for the sort.
        for (const i of [3, 9, 0, 6, 1, 8, 4, 2, 7, 5]) await db.messages.insertOutbound(all[i] as MessageRecord);
        const expected = [...all]
          .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))
          .map((m) => m.id);

        const seen: string[] = [];
        let before: MessageQuery['before'];
        for (let page = 0; page < 10; page++) {
          const rows = await db.messages.list({ agentId: a.id, limit: 3, ...(before ? { before } : {}) });
          if (rows.length === 0) break;
          seen.push(...rows.map((m) => m.id));
          const last = rows[rows.length - 1] as MessageRecord;
          // The cursor is built from what was read back: this is the millisecond round-trip that matters.
          before = { createdAt: last.createdAt, id: last.id };
        }
        expect(seen).toEqual(expected);
      });

      it('combines a cursor with filters and `since`', async () => {
        const a = await storedAgent();
        const ms = [1, 2, 3, 4, 5].map((i) => message(a.id, { createdAt: at(i), channel: i % 2 ? 'sms' : 'email' }));
        for (const m of ms) await db.messages.insertOutbound(m);
        const page = await db.messages.list({
          agentId: a.id, channel: 'sms', since: at(2),
          before: { createdAt: at(5), id: (ms[4] as MessageRecord).id }, limit: 10,
        });
        expect(page.map((m) => m.id)).toEqual([ms[2]?.id]);
      });

      it('round-trips createdAt to the millisecond', async () => {
        const a = await storedAgent();
        const instants = [at(0), at(1), new Date('2030-01-31T23:59:59.999Z'), new Date('2026-03-29T01:30:00.001Z')];
        const ms = instants.map((createdAt) => message(a.id, { createdAt, updatedAt: createdAt }));
        for (const m of ms) await db.messages.insertOutbound(m);
        for (const m of ms) {
          const found = await db.messages.findById(m.id);
          expect(found?.createdAt.getTime()).toBe(m.createdAt.getTime());
          expect(found?.updatedAt.getTime()).toBe(m.updatedAt.getTime());
        }
        // A cursor equal to a stored row excludes exactly that row and everything newer.
        const cursor = ms[1] as MessageRecord;
        const older = await db.messages.list({ agentId: a.id, before: { createdAt: cursor.createdAt, id: cursor.id }, limit: 10 });
        expect(older.map((m) => m.id)).toEqual([ms[0]?.id, ms[3]?.id]);
      });
    });

    describe('callback deliveries', () => {
      it('lists due pending deliveries oldest first, up to the limit', async () => {
        const a = await storedAgent();
        const early = await storedInbound(a.id, { createdAt: at(1) });
        const later = await storedInbound(a.id, { createdAt: at(2) });
        const future = await storedInbound(a.id, { createdAt: at(60_000) });

        expect(await db.callbacks.due(at(2), 10)).toEqual([early.delivery, later.delivery]);
        expect(await db.callbacks.due(at(1), 10)).toEqual([early.delivery]);
        expect(await db.callbacks.due(at(100_000), 2)).toEqual([early.delivery, later.delivery]);
        expect((await db.callbacks.due(at(100_000), 10)).map((d) => d.id)).toContain(future.delivery.id);
        expect(await db.callbacks.due(at(0), 10)).toEqual([]);
      });

      it('updates a delivery: rescheduled ones wait, delivered and dead ones are no longer due', async () => {
        const a = await storedAgent();
        const one = await storedInbound(a.id, { createdAt: at(1) });
        const two = await storedInbound(a.id, { createdAt: at(2) });
        const three = await storedInbound(a.id, { createdAt: at(3) });

        const retry = { status: 'pending' as const, attempts: 1, nextAttemptAt: at(30_000), lastError: 'HTTP 503', updatedAt: at(10) };
        await db.callbacks.update(one.delivery.id, retry);
        await db.callbacks.update(two.delivery.id, { status: 'delivered', attempts: 1, nextAttemptAt: at(10), lastError: null, updatedAt: at(10) });
        await db.callbacks.update(three.delivery.id, { status: 'dead', attempts: 8, nextAttemptAt: at(10), lastError: 'gave up', updatedAt: at(10) });

        expect(await db.callbacks.findById(one.delivery.id)).toEqual({ ...one.delivery, ...retry });
        expect((await db.callbacks.findById(two.delivery.id))?.status).toBe('delivered');
        expect(await db.callbacks.findById(three.delivery.id)).toEqual({
          ...three.delivery, status: 'dead', attempts: 8, nextAttemptAt: at(10), lastError: 'gave up', updatedAt: at(10),
        });
        expect(await db.callbacks.due(at(20_000), 10)).toEqual([]);
        expect(await db.callbacks.due(at(30_000), 10)).toEqual([{ ...one.delivery, ...retry }]);
        expect(await db.callbacks.listForMessage(one.message.id)).toEqual([{ ...one.delivery, ...retry }]);
        expect(await db.callbacks.findById('dlv_unknown')).toBeNull();
        expect(await db.callbacks.listForMessage('msg_unknown')).toEqual([]);
      });
    });
  });
}
