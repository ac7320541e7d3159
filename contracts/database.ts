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
  AgentChannelRecord, AgentRecord, AgentVoiceSettings, CallbackDeliveryRecord, CallLogRecord, CallTurnRecord, Channel,
  Direction, MessageRecord, WhatsAppSenderRecord,
} from '../ports/records.js';
import type { CallLogQuery, Database, MessageQuery } from '../ports/repositories.js';
import type { Logger } from '../ports/runtime.js';
import type { AuditDraft } from '../ports/audit.js';
import { describeUsageContract } from './database-usage.js';
import { describeContactsContract } from './database-contacts.js';
import { describeMcpSessionsContract } from './database-mcp-sessions.js';

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

/** Newest first, ties on createdAt broken by id descending (byte order), as the keyset listings sort. */
function newestFirst<T extends { createdAt: Date; id: string }>(records: readonly T[]): string[] {
  return [...records]
    .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))
    .map((record) => record.id);
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
    describeUsageContract(options);
    describeContactsContract(options);
    describeMcpSessionsContract(options);
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
        voice: {},
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

    const sender = (overrides: Partial<WhatsAppSenderRecord> = {}): WhatsAppSenderRecord => {
      const id = overrides.id ?? nextId('wsn');
      return { id, address: `+1444${id.slice(-6)}`, agentId: null, createdAt: at(0), ...overrides };
    };

    const callLog = (agentId: string, overrides: Partial<CallLogRecord> = {}): CallLogRecord => ({
      id: nextId('cal'),
      agentId,
      direction: 'outbound',
      from: '+15550000001',
      to: '+15550009999',
      status: 'queued',
      history: [{ status: 'queued', at: at(0).toISOString() }],
      provider: 'mock',
      providerCallId: null,
      audioUrl: null,
      audioKey: null,
      startedAt: at(0),
      answeredAt: null,
      endedAt: null,
      durationSeconds: null,
      priceMicros: null,
      currency: null,
      errorCode: null,
      errorMessage: null,
      metadata: { text: 'Your code is 1234', voice: 'en-US-neutral', repeat: 2 },
      createdAt: at(0),
      updatedAt: at(0),
      version: 0,
      ...overrides,
    });

    const turn = (callId: string, seq: number, overrides: Partial<CallTurnRecord> = {}): CallTurnRecord => ({
      id: nextId('turn'),
      callId,
      seq,
      speaker: seq % 2 === 1 ? 'caller' : 'agent',
      text: `Turn ${seq}`,
      interrupted: false,
      createdAt: at(seq * 1_000),
      latency: null,
      ...overrides,
    });

    /** Stores an agent with one sms channel and returns it. */
    const storedAgent = async (overrides: Partial<AgentRecord> = {}): Promise<AgentRecord> => {
      const a = agent(overrides);
      await db.agents.create(a, [channel(a.id, 'sms', `+1555${a.id.slice(-6)}`)]);
      return a;
    };

    /** Stores an agent and one call of it, and returns the call. */
    const storedCall = async (): Promise<CallLogRecord> => {
      const call = callLog((await storedAgent()).id, { direction: 'inbound', status: 'in-progress' });
      await db.calls.insert(call);
      return call;
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

    describe('transactions', () => {
      it('commits the writes of several repositories together', async () => {
        const a = agent();
        const m = message(a.id);
        const result = await db.transaction(async (tx) => {
          await tx.agents.create(a, [channel(a.id, 'sms', '+15550100071')]);
          await tx.messages.insertOutbound(m);
          return 'done';
        });
        expect(result).toBe('done');
        expect((await db.agents.findById(a.id))?.id).toBe(a.id);
        expect((await db.messages.findById(m.id))?.id).toBe(m.id);
      });

      it('writes nothing when the work throws, and passes the error on', async () => {
        const a = agent();
        const m = message(a.id);
        const failure = new Error('work failed after two writes');
        await expect(db.transaction(async (tx) => {
          await tx.agents.create(a, []);
          await tx.messages.insertOutbound(m);
          throw failure;
        })).rejects.toBe(failure);
        expect(await db.agents.findById(a.id)).toBeNull();
        expect(await db.messages.findById(m.id)).toBeNull();
      });

      it('undoes only a failed repository call that the work catches, and commits the rest', async () => {
        const owner = await storedAgent();
        const [taken] = await db.agents.listChannels(owner.id);
        const loser = agent();
        const winner = agent();
        const code = await db.transaction(async (tx) => {
          const refused = await codeOf(tx.agents.create(loser, [channel(loser.id, 'sms', taken!.address)]));
          await tx.agents.create(winner, []);
          return refused;
        });
        expect(code).toBe('CONFLICT');
        expect(await db.agents.findById(loser.id)).toBeNull();
        expect((await db.agents.findById(winner.id))?.id).toBe(winner.id);
      });

      it('keeps concurrent transactions apart: one failing leaves the others committed', async () => {
        const agents = [agent(), agent(), agent()];
        const outcomes = await Promise.allSettled(agents.map((a, i) => db.transaction(async (tx) => {
          await tx.agents.create(a, []);
          if (i === 1) throw new Error('second one fails');
        })));
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect(await db.agents.findById(agents[0]!.id)).not.toBeNull();
        expect(await db.agents.findById(agents[1]!.id)).toBeNull();
        expect(await db.agents.findById(agents[2]!.id)).not.toBeNull();
      });
    });

    describe('agents', () => {
      it('creates an agent with its channels and finds it by id and by token hash', async () => {
        const a = agent({ callbackUrl: null });
        const channels = [channel(a.id, 'sms', '+15551230001'), channel(a.id, 'email', 'agent@mail.example')];
        await db.agents.create(a, channels);

        expect(await db.agents.findById(a.id)).toEqual(a);
        expect(await db.agents.findByTokenHash(a.tokenHash)).toEqual({ agent: a, channels: [...channels].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || x.id.localeCompare(y.id)) });
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

    describe('agent channels', () => {
      const sorted = (channels: AgentChannelRecord[]) => [...channels].sort((x, y) => x.id.localeCompare(y.id));

      it('finds the owner of an address on one channel only', async () => {
        const a = agent();
        const sms = channel(a.id, 'sms', '+15551240001');
        const email = channel(a.id, 'email', 'owner@mail.example');
        await db.agents.create(a, [sms, email]);

        expect(await db.agents.findChannelByAddress('sms', '+15551240001')).toEqual(sms);
        expect(await db.agents.findChannelByAddress('email', 'owner@mail.example')).toEqual(email);
        expect(await db.agents.findChannelByAddress('whatsapp', '+15551240001')).toBeNull();
        expect(await db.agents.findChannelByAddress('sms', '+15551240999')).toBeNull();
        // Stored as given: matching is exact (core lower-cases email addresses before asking).
        expect(await db.agents.findChannelByAddress('email', 'OWNER@mail.example')).toBeNull();
      });

      it('adds an address on a channel the agent had none on', async () => {
        const a = await storedAgent();
        const before = await db.agents.listChannels(a.id);
        const wa = channel(a.id, 'whatsapp', '+15551240002');
        await db.agents.setChannel(wa);
        expect(await db.agents.findChannel(a.id, 'whatsapp')).toEqual(wa);
        expect(await db.agents.findChannelByAddress('whatsapp', '+15551240002')).toEqual(wa);
        expect(sorted(await db.agents.listChannels(a.id))).toEqual(sorted([...before, wa]));
      });

      it('replaces every address the agent had on that channel, and frees them', async () => {
        const a = agent();
        const email = channel(a.id, 'email', 'keep@mail.example');
        await db.agents.create(a, [
          channel(a.id, 'sms', '+15551240003'), channel(a.id, 'sms', '+15551240004'), email,
        ]);

        const replacement = { ...channel(a.id, 'sms', '+15551240005'), createdAt: at(7) };
        await db.agents.setChannel(replacement);
        expect(sorted(await db.agents.listChannels(a.id))).toEqual(sorted([email, replacement]));
        expect(await db.agents.findChannel(a.id, 'sms')).toEqual(replacement);
        expect(await db.agents.findChannelByAddress('sms', '+15551240003')).toBeNull();

        // A freed address can be taken by another agent.
        const b = agent();
        await db.agents.create(b, [channel(b.id, 'sms', '+15551240003')]);
        expect((await db.agents.findChannelByAddress('sms', '+15551240003'))?.agentId).toBe(b.id);
      });

      it('refuses an address another agent owns with CONFLICT and writes nothing', async () => {
        const owner = agent();
        const owned = channel(owner.id, 'sms', '+15551240006');
        await db.agents.create(owner, [owned]);
        const a = agent();
        const own = channel(a.id, 'sms', '+15551240007');
        await db.agents.create(a, [own]);

        const grab = channel(a.id, 'sms', '+15551240006');
        expect(await codeOf(db.agents.setChannel(grab))).toBe('CONFLICT');
        // The agent keeps its old address: the removal is undone with the refused insert.
        expect(await db.agents.listChannels(a.id)).toEqual([own]);
        expect(await db.agents.findChannelByAddress('sms', '+15551240006')).toEqual(owned);
        expect(await db.agents.listChannels(owner.id)).toEqual([owned]);
      });

      it('is a no-op when the agent already owns exactly that address', async () => {
        const a = agent();
        const own = channel(a.id, 'sms', '+15551240008');
        await db.agents.create(a, [own]);

        await expect(db.agents.setChannel({ ...channel(a.id, 'sms', '+15551240008'), createdAt: at(99) })).resolves.toBeUndefined();
        // The stored row is kept as it was: same id, same createdAt.
        expect(await db.agents.listChannels(a.id)).toEqual([own]);
        expect(await db.agents.findChannelByAddress('sms', '+15551240008')).toEqual(own);
      });

      it('keeping one of several addresses removes the others', async () => {
        const a = agent();
        const kept = channel(a.id, 'sms', '+15551240009');
        await db.agents.create(a, [kept, channel(a.id, 'sms', '+15551240010')]);
        await db.agents.setChannel(channel(a.id, 'sms', '+15551240009'));
        expect(await db.agents.listChannels(a.id)).toEqual([kept]);
      });

      it('lets exactly one of two agents claim a free address at once', async () => {
        const a = await storedAgent();
        const b = await storedAgent();
        const codes = await Promise.all([
          codeOf(db.agents.setChannel(channel(a.id, 'whatsapp', '+15551240011'))),
          codeOf(db.agents.setChannel(channel(b.id, 'whatsapp', '+15551240011'))),
        ]);
        expect(codes.sort()).toEqual(['CONFLICT', 'no error']);
        const owner = await db.agents.findChannelByAddress('whatsapp', '+15551240011');
        const loser = owner?.agentId === a.id ? b.id : a.id;
        expect([a.id, b.id]).toContain(owner?.agentId);
        expect(await db.agents.findChannel(loser, 'whatsapp')).toBeNull();
      });

      it('leaves one address when one agent replaces its address twice at once', async () => {
        const a = await storedAgent();
        await Promise.all([
          db.agents.setChannel(channel(a.id, 'email', 'one@mail.example')),
          db.agents.setChannel(channel(a.id, 'email', 'two@mail.example')),
        ]);
        const emails = (await db.agents.listChannels(a.id)).filter((c) => c.channel === 'email');
        expect(emails).toHaveLength(1);
      });

      it('removes the agent\'s addresses on one channel only; no-op when it has none', async () => {
        const a = agent();
        const sms = channel(a.id, 'sms', '+15551240012');
        await db.agents.create(a, [
          sms, channel(a.id, 'email', 'a@mail.example'), channel(a.id, 'email', 'b@mail.example'),
        ]);
        const other = agent();
        const othersEmail = channel(other.id, 'email', 'other@mail.example');
        await db.agents.create(other, [othersEmail]);

        await db.agents.removeChannel(a.id, 'email');
        expect(await db.agents.listChannels(a.id)).toEqual([sms]);
        expect(await db.agents.findChannel(a.id, 'email')).toBeNull();
        expect(await db.agents.findChannelByAddress('email', 'a@mail.example')).toBeNull();
        expect(await db.agents.listChannels(other.id)).toEqual([othersEmail]);

        await expect(db.agents.removeChannel(a.id, 'whatsapp')).resolves.toBeUndefined();
        await expect(db.agents.removeChannel('agt_unknown', 'sms')).resolves.toBeUndefined();
        expect(await db.agents.listChannels(a.id)).toEqual([sms]);
      });
    });

    describe('agent list', () => {
      it('lists every agent, oldest first, ties broken by id', async () => {
        expect(await db.agents.list()).toEqual([]);
        const late = agent({ createdAt: at(2_000), updatedAt: at(2_000) });
        const first = agent({ createdAt: at(0) });
        const tie = agent({ createdAt: at(0) });
        for (const a of [late, tie, first]) await db.agents.create(a, []);
        expect((await db.agents.list()).map((a) => a.id)).toEqual([first.id, tie.id, late.id]);
        expect((await db.agents.list())[2]).toEqual(late);
      });
    });

    describe('agent update', () => {
      it('changes only the fields given, and always updatedAt', async () => {
        const a = agent();
        await db.agents.create(a, []);

        await db.agents.update(a.id, { name: 'Renamed', updatedAt: at(10) });
        expect(await db.agents.findById(a.id)).toEqual({ ...a, name: 'Renamed', updatedAt: at(10) });

        await db.agents.update(a.id, { status: 'disabled', callbackUrl: 'https://new.example/cb', updatedAt: at(20) });
        const expected = { ...a, name: 'Renamed', status: 'disabled' as const, callbackUrl: 'https://new.example/cb', updatedAt: at(20) };
        expect(await db.agents.findById(a.id)).toEqual(expected);
        expect((await db.agents.findByTokenHash(a.tokenHash))?.agent).toEqual(expected);
      });

      it('clears the callback URL with null and leaves other agents alone', async () => {
        const a = agent();
        const b = agent();
        await db.agents.create(a, []);
        await db.agents.create(b, []);
        await db.agents.update(a.id, { callbackUrl: null, updatedAt: at(1_001) });
        const found = await db.agents.findById(a.id);
        expect(found?.callbackUrl).toBeNull();
        expect(found?.updatedAt.getTime()).toBe(at(1_001).getTime());
        expect(await db.agents.findById(b.id)).toEqual(b);
      });

      it('succeeds when nothing actually changes', async () => {
        const a = agent();
        await db.agents.create(a, []);
        await expect(db.agents.update(a.id, { name: a.name, status: a.status, updatedAt: a.updatedAt })).resolves.toBeUndefined();
        expect(await db.agents.findById(a.id)).toEqual(a);
      });

      it('replaces the token hash: the agent is found by the new one only', async () => {
        const a = agent();
        await db.agents.create(a, []);
        await db.agents.update(a.id, { tokenHash: 'hash-of-the-new-token', updatedAt: at(30) });
        expect(await db.agents.findByTokenHash(a.tokenHash)).toBeNull();
        expect((await db.agents.findByTokenHash('hash-of-the-new-token'))?.agent).toEqual({ ...a, tokenHash: 'hash-of-the-new-token', updatedAt: at(30) });
      });

      it('fails with NOT_FOUND for an unknown agent', async () => {
        expect(await codeOf(db.agents.update('agt_unknown', { name: 'x', updatedAt: at(1) }))).toBe('NOT_FOUND');
        expect(await codeOf(db.agents.update('agt_unknown', { updatedAt: at(1) }))).toBe('NOT_FOUND');
      });
    });

    describe('agent change listeners (onAgentsChanged)', () => {
      /** Records, at each call of the listener, what a fresh read sees: the change must already be committed. */
      const watch = () => {
        const seen: Array<Promise<string | undefined>> = [];
        const stop = db.onAgentsChanged(() => void seen.push(db.agents.list().then((all) => all.map((a) => `${a.status}:${a.tokenHash}`).join(','))));
        return { seen, stop };
      };

      it('tells after an agent update, an address set or removed and limits set, once each write is committed', async () => {
        const a = agent();
        await db.agents.create(a, []);
        const { seen, stop } = watch();
        await db.agents.update(a.id, { status: 'disabled', updatedAt: at(1) });
        expect(seen).toHaveLength(1);
        expect(await seen[0]).toBe(`disabled:${a.tokenHash}`);
        await db.agents.setChannel(channel(a.id, 'sms', '+15550100901'));
        await db.agents.removeChannel(a.id, 'sms');
        await db.usage.setLimits({ agentId: a.id, tier: 'gold', overrides: {}, updatedAt: at(2) });
        expect(seen).toHaveLength(4);
        stop();
        await db.agents.update(a.id, { status: 'active', updatedAt: at(3) });
        expect(seen).toHaveLength(4);
      });

      it('tells of a transaction\'s writes once it committed, not while it runs', async () => {
        const a = agent();
        await db.agents.create(a, []);
        const { seen, stop } = watch();
        await db.transaction(async (tx) => {
          await tx.agents.update(a.id, { tokenHash: 'hash-rotated', updatedAt: at(1) });
          expect(seen).toHaveLength(0);
        });
        expect(seen).toHaveLength(1);
        expect(await seen[0]).toBe('active:hash-rotated');
        stop();
      });
    });

    describe('agent voice settings', () => {
      const settings: AgentVoiceSettings = {
        greeting: 'Hello, this is Ada. How can I help? ✓',
        instructions: 'You book appointments.\nNever promise a refund; say "I\'ll check".',
        voice: 'en-GB-neural-ada',
        language: 'en-GB',
        interruptible: false,
      };

      it('stores {} for an agent without settings and every field of one with them', async () => {
        const none = agent();
        const full = agent({ voice: settings });
        await db.agents.create(none, []);
        await db.agents.create(full, []);
        expect(await db.agents.findById(none.id)).toEqual(none);
        expect((await db.agents.findById(none.id))?.voice).toEqual({});
        expect(await db.agents.findById(full.id)).toEqual(full);
        expect(await db.agents.findByTokenHash(full.tokenHash)).toEqual({ agent: full, channels: [] });
        const partial = agent({ voice: { interruptible: true } });
        await db.agents.create(partial, []);
        expect((await db.agents.findById(partial.id))?.voice).toEqual({ interruptible: true });
      });

      it('replaces the settings on update (no merge) and keeps them when the patch leaves them out', async () => {
        const a = agent({ voice: settings });
        const b = agent({ voice: settings });
        await db.agents.create(a, []);
        await db.agents.create(b, []);

        await db.agents.update(a.id, { voice: { greeting: 'Hi!', interruptible: true }, updatedAt: at(10) });
        expect(await db.agents.findById(a.id)).toEqual({ ...a, voice: { greeting: 'Hi!', interruptible: true }, updatedAt: at(10) });

        await db.agents.update(a.id, { name: 'Renamed', status: 'disabled', updatedAt: at(20) });
        expect(await db.agents.findById(a.id)).toEqual({
          ...a, name: 'Renamed', status: 'disabled', voice: { greeting: 'Hi!', interruptible: true }, updatedAt: at(20),
        });

        await db.agents.update(a.id, { voice: {}, callbackUrl: null, updatedAt: at(30) });
        expect(await db.agents.findById(a.id)).toEqual({
          ...a, name: 'Renamed', status: 'disabled', callbackUrl: null, voice: {}, updatedAt: at(30),
        });
        expect(await db.agents.findById(b.id)).toEqual(b);
        expect(await codeOf(db.agents.update('agt_unknown', { voice: settings, updatedAt: at(1) }))).toBe('NOT_FOUND');
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

      it('answers each of many concurrent inserts for itself: distinct keys stored, a reused key gets the stored row', async () => {
        // An implementation may write concurrent inserts together (PostgreSQL does): two with one key in one statement
        // must still behave as two racing inserts.
        const a = await storedAgent();
        const b = await storedAgent();
        const stored = message(a.id, { idempotencyKey: 'stored-before', body: 'first' });
        await db.messages.insertOutbound(stored);
        const distinct = Array.from({ length: 30 }, (_, i) => message(i % 2 ? a.id : b.id, { idempotencyKey: `key-${i}`, body: `it's "quoted" \\ {${i}}` }));
        const unkeyed = Array.from({ length: 5 }, () => message(a.id));
        const sameKey = Array.from({ length: 6 }, (_, i) => message(b.id, { idempotencyKey: 'shared-in-flight', body: `copy ${i}` }));
        const retry = message(a.id, { idempotencyKey: 'stored-before', body: 'retry' });
        const all = [...distinct.slice(0, 10), ...sameKey.slice(0, 3), retry, ...unkeyed, ...distinct.slice(10), ...sameKey.slice(3)];
        const outcomes = await Promise.all(all.map((m) => db.messages.insertOutbound(m)));
        const outcomeOf = (m: MessageRecord) => outcomes[all.indexOf(m)];

        for (const m of [...distinct, ...unkeyed]) {
          expect(outcomeOf(m)).toEqual({ inserted: true, message: m });
          expect(await db.messages.findById(m.id)).toEqual(m);
        }
        expect(outcomeOf(retry)).toEqual({ inserted: false, message: stored });
        expect(await db.messages.findById(retry.id)).toBeNull();
        const winners = sameKey.filter((m) => outcomeOf(m)?.inserted);
        expect(winners).toHaveLength(1);
        for (const m of sameKey) expect(outcomeOf(m)).toEqual({ inserted: m === winners[0], message: winners[0] });
        expect((await db.messages.list({ agentId: b.id, limit: 100 })).filter((m) => m.idempotencyKey === 'shared-in-flight')).toEqual(winners);
      });

      it('stores many concurrent inserts each once, and one the database refuses fails alone', async () => {
        const a = await storedAgent();
        const good = Array.from({ length: 40 }, (_, i) => message(a.id, { idempotencyKey: i % 3 ? `key-${i}` : null }));
        const orphan = message('agt_does_not_exist', { idempotencyKey: 'orphan' });
        const all = [...good.slice(0, 20), orphan, ...good.slice(20)];
        const outcomes = await Promise.allSettled(all.map((m) => db.messages.insertOutbound(m)));

        expect(outcomes[20]?.status).toBe('rejected');
        const others = outcomes.filter((_, i) => i !== 20);
        expect(others.map((o) => (o.status === 'fulfilled' ? o.value : o.reason))).toEqual(good.map((m) => ({ inserted: true, message: m })));
        for (const m of good) expect(await db.messages.findById(m.id)).toEqual(m);
        expect(await db.messages.findById(orphan.id)).toBeNull();
      });
    });

    describe('sends left unanswered', () => {
      it('lists outbound messages still pending since before a time, oldest change first', async () => {
        const a = await storedAgent();
        const old = message(a.id, { status: 'pending', updatedAt: at(-120_000) });
        const older = message(a.id, { status: 'pending', updatedAt: at(-180_000) });
        const recent = message(a.id, { status: 'pending', updatedAt: at(0) });
        const sent = message(a.id, { status: 'sent', updatedAt: at(-180_000) });
        for (const m of [old, older, recent, sent]) await db.messages.insertOutbound(m);
        await storedInbound(a.id, { updatedAt: at(-180_000) });
        expect((await db.messages.listStuckPending(at(-60_000), 10)).map((m) => m.id)).toEqual([older.id, old.id]);
        expect((await db.messages.listStuckPending(at(-60_000), 1)).map((m) => m.id)).toEqual([older.id]);
      });

      it('lists outbound calls not yet placed (queued or initiated, no provider id) since before a time', async () => {
        const a = await storedAgent();
        const queued = callLog(a.id, { status: 'queued', updatedAt: at(-120_000) });
        const initiated = callLog(a.id, { status: 'initiated', updatedAt: at(-180_000) });
        const placed = callLog(a.id, { status: 'queued', providerCallId: 'CA-placed', updatedAt: at(-180_000) });
        const recent = callLog(a.id, { status: 'queued', updatedAt: at(0) });
        const inbound = callLog(a.id, { direction: 'inbound', status: 'queued', updatedAt: at(-180_000) });
        const ended = callLog(a.id, { status: 'completed', updatedAt: at(-180_000) });
        for (const c of [queued, initiated, placed, recent, inbound, ended]) await db.calls.insert(c);
        expect((await db.calls.listStuckUnplaced(at(-60_000), 10)).map((c) => c.id)).toEqual([initiated.id, queued.id]);
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

      it('stores many concurrent inbound messages each once, and one the database refuses fails alone', async () => {
        // An implementation may write concurrent inserts together (PostgreSQL does): every one must still get its
        // own outcome, its delivery only if it has one, and a row refused (its agent does not exist) must not take
        // the others down with it.
        const a = await storedAgent();
        const good = Array.from({ length: 40 }, (_, i) => message(a.id, { direction: 'inbound', status: 'received', providerMessageId: `SM-many-${i}`, body: `it's "quoted" \\ {${i}}` }));
        const orphan = message('agt_does_not_exist', { direction: 'inbound', status: 'received', providerMessageId: 'SM-orphan' });
        const all = [...good.slice(0, 20), orphan, ...good.slice(20)];
        const deliveries = all.map((m, i) => (i % 2 === 0 ? delivery(m) : null));
        const outcomes = await Promise.allSettled(all.map((m, i) => db.messages.insertInbound(m, deliveries[i] ?? null)));

        expect(outcomes[20]?.status).toBe('rejected');
        const others = outcomes.filter((_, i) => i !== 20);
        expect(others.map((o) => (o.status === 'fulfilled' ? o.value : o.reason))).toEqual(good.map((m) => ({ inserted: true, message: m })));
        for (const m of good) expect(await db.messages.findById(m.id)).toEqual(m);
        expect(await db.messages.findById(orphan.id)).toBeNull();
        for (const [i, m] of all.entries()) {
          if (i === 20) continue;
          expect(await db.callbacks.listForMessage(m.id)).toEqual(deliveries[i] ? [deliveries[i]] : []);
        }
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

      it('records the provider that carried it when given (a failover list\'s member), and keeps it otherwise', async () => {
        const a = await storedAgent();
        const m = message(a.id, { provider: 'twilio,vonage' });
        await db.messages.insertOutbound(m);
        expect(await db.messages.changeStatus(m.id, { status: 'accepted', provider: 'vonage', providerMessageId: 'V-1', updatedAt: at(8) }, ['pending'])).toBe(true);
        expect(await db.messages.findById(m.id)).toEqual({ ...m, status: 'accepted', provider: 'vonage', providerMessageId: 'V-1', updatedAt: at(8) });
        await db.messages.changeStatus(m.id, { status: 'delivered', updatedAt: at(9) }, ['accepted']);
        expect((await db.messages.findById(m.id))?.provider).toBe('vonage');
      });

      it('answers each of many concurrent changes for itself: applied or not, fields kept or set, a taken provider id refused alone', async () => {
        // On PostgreSQL concurrent changes share statements (status-batcher.ts): every answer must still be its own.
        const a = await storedAgent();
        const ms = Array.from({ length: 30 }, (_, i) => message(a.id, { id: `msg_batch_${String(i).padStart(2, '0')}` }));
        for (const m of ms) await db.messages.insertOutbound(m);
        await db.messages.changeStatus(ms[0]!.id, { status: 'sent', providerMessageId: 'SM-taken', updatedAt: at(1) }, ['pending']);
        // Every shape of change at once (on PostgreSQL: statements of many changes) …
        const outcomes: unknown[] = await Promise.all(ms.map((m, i) => {
          if (i === 0) return codeOf(db.messages.changeStatus(m.id, { status: 'delivered', updatedAt: at(2) }, ['sent']));
          if (i === 1) return 'later';
          if (i % 3 === 0) return db.messages.changeStatus(m.id, { status: 'delivered', updatedAt: at(2) }, ['sent']); // not from pending
          if (i % 3 === 1) return db.messages.changeStatus(m.id, { status: 'failed', errorCode: 'PROVIDER_REJECTED', errorMessage: 'No', updatedAt: at(2) }, ['pending']);
          return db.messages.changeStatus(m.id, { status: 'queued', providerMessageId: `SM-${i}`, provider: 'vonage', metadata: { n: i }, updatedAt: at(2) }, ['pending']);
        }));
        // … and a provider id another message holds, among others: refused alone.
        const [conflict, ...others] = await Promise.all([
          codeOf(db.messages.changeStatus(ms[1]!.id, { status: 'sent', providerMessageId: 'SM-taken', updatedAt: at(2) }, ['pending'])),
          ...[3, 6, 9].map((i) => db.messages.changeStatus(ms[i]!.id, { status: 'delivered', updatedAt: at(2) }, ['sent'])),
        ]);
        expect(outcomes[0]).toBe('no error');
        expect(conflict).toBe('CONFLICT');
        expect(others).toEqual([false, false, false]);
        for (const [i, m] of ms.entries()) {
          const stored = await db.messages.findById(m.id);
          if (i === 0) expect(stored).toEqual({ ...m, status: 'delivered', providerMessageId: 'SM-taken', updatedAt: at(2) });
          else if (i === 1) expect(stored).toEqual(m);
          else if (i % 3 === 0) {
            expect(outcomes[i]).toBe(false);
            expect(stored).toEqual(m);
          } else if (i % 3 === 1) {
            expect(outcomes[i]).toBe(true);
            expect(stored).toEqual({ ...m, status: 'failed', errorCode: 'PROVIDER_REJECTED', errorMessage: 'No', updatedAt: at(2) });
          } else {
            expect(outcomes[i]).toBe(true);
            expect(stored).toEqual({ ...m, status: 'queued', providerMessageId: `SM-${i}`, provider: 'vonage', metadata: { n: i }, updatedAt: at(2) });
          }
        }
      });

      it('applies concurrent changes of one message in the order they were made', async () => {
        const a = await storedAgent();
        const m = message(a.id);
        await db.messages.insertOutbound(m);
        const [queued, sent, delivered, late] = await Promise.all([
          db.messages.changeStatus(m.id, { status: 'queued', providerMessageId: 'SM-1', updatedAt: at(1) }, ['pending']),
          db.messages.changeStatus(m.id, { status: 'sent', updatedAt: at(2) }, ['pending', 'queued']),
          db.messages.changeStatus(m.id, { status: 'delivered', updatedAt: at(3) }, ['pending', 'queued', 'sent']),
          db.messages.changeStatus(m.id, { status: 'sent', updatedAt: at(4) }, ['pending', 'queued']),
        ]);
        expect([queued, sent, delivered, late]).toEqual([true, true, true, false]);
        expect(await db.messages.findById(m.id)).toEqual({ ...m, status: 'delivered', providerMessageId: 'SM-1', updatedAt: at(3) });
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
        const expected = newestFirst(all);

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

    describe('callback delivery claims', () => {
      it('claims due deliveries oldest first and holds them until the lease ends', async () => {
        const a = await storedAgent();
        const early = await storedInbound(a.id, { createdAt: at(1) });
        const later = await storedInbound(a.id, { createdAt: at(2) });
        const future = await storedInbound(a.id, { createdAt: at(60_000) });

        const claimed = await db.callbacks.claimDue(at(2), at(70_000), 10);
        expect(claimed).toEqual([{ ...early.delivery, nextAttemptAt: at(70_000) }, { ...later.delivery, nextAttemptAt: at(70_000) }]);
        // Held: neither claimed again nor listed as due before the lease ends, then due again (its server died).
        expect(await db.callbacks.claimDue(at(2), at(70_000), 10)).toEqual([]);
        expect((await db.callbacks.due(at(65_000), 10)).map((d) => d.id)).not.toContain(early.delivery.id);
        const again = await db.callbacks.claimDue(at(70_000), at(140_000), 10);
        expect(again.map((d) => d.id)).toEqual([early.delivery.id, later.delivery.id, future.delivery.id]);
        expect(await db.callbacks.claimDue(at(0), at(1), 10)).toEqual([]);
        expect(await db.callbacks.claimDue(at(100_000), at(200_000), 0)).toEqual([]);
      });

      it('never hands one delivery to two claims made at once', async () => {
        const a = await storedAgent();
        const stored = [];
        for (let i = 0; i < 12; i += 1) stored.push(await storedInbound(a.id, { createdAt: at(i) }));
        const claims = await Promise.all(Array.from({ length: 6 }, () => db.callbacks.claimDue(at(100), at(90_000), 3)));
        const ids = claims.flat().map((d) => d.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.sort()).toEqual(stored.map((s) => s.delivery.id).sort());
      });

      it('counts deliveries given up', async () => {
        const a = await storedAgent();
        const one = await storedInbound(a.id, { createdAt: at(1) });
        await storedInbound(a.id, { createdAt: at(2) });
        expect(await db.callbacks.countDead()).toBe(0);
        await db.callbacks.update(one.delivery.id, { status: 'dead', attempts: 12, nextAttemptAt: at(3), lastError: 'HTTP 500', updatedAt: at(3) });
        expect(await db.callbacks.countDead()).toBe(1);
      });
    });

    describe('callback backlog', () => {
      it('counts pending deliveries and names the oldest one\'s creation time', async () => {
        expect(await db.callbacks.backlog()).toEqual({ pending: 0, oldestCreatedAt: null });
        const a = await storedAgent();
        const first = await storedInbound(a.id, { createdAt: at(1) });
        await storedInbound(a.id, { createdAt: at(2) });
        expect(await db.callbacks.backlog()).toEqual({ pending: 2, oldestCreatedAt: first.delivery.createdAt });
        await db.callbacks.update(first.delivery.id, { status: 'delivered', attempts: 1, nextAttemptAt: at(3), lastError: null, updatedAt: at(3) });
        expect((await db.callbacks.backlog()).pending).toBe(1);
      });
    });

    describe('audit trail', () => {
      const draft = (n: number, overrides: Partial<AuditDraft> = {}): AuditDraft => ({
        id: nextId('aud'), at: at(n), actorKind: 'admin', actorId: null, action: n % 2 ? 'agent.create' : 'agent.update',
        agentId: n % 3 ? 'agt_a' : 'agt_b', targets: { n, note: 'ids only', flag: true, none: null }, outcome: 'ok', requestId: `req_${n}`, ...overrides,
      });
      const seal = (seq: number, prevHash: string) => `${prevHash.slice(0, 8)}:${seq}`;

      it('appends in chain order, each entry holding the previous one\'s hash, and reads entries back as written', async () => {
        const first = await db.audit.append(draft(1), seal);
        const second = await db.audit.append(draft(2), seal);
        expect(first).toMatchObject({ seq: 1, prevHash: '0'.repeat(64), hash: '00000000:1' });
        expect(second).toMatchObject({ seq: 2, prevHash: '00000000:1', hash: '00000000:2' });
        expect(await db.audit.chain(0, 10)).toEqual([first, second]);
        expect(await db.audit.chain(1, 10)).toEqual([second]);
        expect(await db.audit.chain(0, 1)).toEqual([first]);
      });

      it('lists newest first with filters and a seq cursor', async () => {
        for (let n = 1; n <= 6; n++) await db.audit.append(draft(n), seal);
        const seqs = async (query: Partial<Parameters<Database['audit']['list']>[0]>) => (await db.audit.list({ limit: 10, ...query })).map((e) => e.seq);
        expect(await seqs({})).toEqual([6, 5, 4, 3, 2, 1]);
        expect(await seqs({ action: 'agent.create' })).toEqual([5, 3, 1]);
        expect(await seqs({ agentId: 'agt_b' })).toEqual([6, 3]);
        expect(await seqs({ since: at(2), until: at(5) })).toEqual([4, 3, 2]);
        expect(await seqs({ beforeSeq: 3 })).toEqual([2, 1]);
        expect(await seqs({ limit: 2 })).toEqual([6, 5]);
      });

      it('keeps one chain under concurrent appends, and an entry rolls back with its transaction', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => db.audit.append(draft(i), seal)));
        const failure = new Error('action failed');
        await expect(db.transaction(async (tx) => {
          await tx.audit.append(draft(99), seal);
          throw failure;
        })).rejects.toBe(failure);
        const chain = await db.audit.chain(0, 100);
        expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        chain.forEach((entry, i) => expect(entry.prevHash).toBe(i === 0 ? '0'.repeat(64) : chain[i - 1]!.hash));
      });
    });

    describe('whatsapp sender pool', () => {
      it('adds senders, finds them by address and lists the pool oldest first', async () => {
        const a = await storedAgent();
        const late = sender({ createdAt: at(30) });
        const dedicated = sender({ agentId: a.id, createdAt: at(20) });
        const early = sender({ createdAt: at(10) });
        for (const s of [late, dedicated, early]) await db.whatsappSenders.add(s);

        expect(await db.whatsappSenders.findByAddress(dedicated.address)).toEqual(dedicated);
        expect(await db.whatsappSenders.findByAddress(early.address)).toEqual(early);
        expect(await db.whatsappSenders.findByAddress('+19999999999')).toBeNull();
        expect(await db.whatsappSenders.list()).toEqual([early, dedicated, late]);
      });

      it('offers the agent\'s dedicated senders first, then the shared ones, each oldest first', async () => {
        const a = await storedAgent();
        const b = await storedAgent();
        // Inserted in a scrambled order; one shared pair shares a millisecond, broken by id.
        const sharedOld = sender({ createdAt: at(1) });
        const mineNew = sender({ agentId: a.id, createdAt: at(50) });
        const theirs = sender({ agentId: b.id, createdAt: at(0) });
        const sharedTieFirst = sender({ createdAt: at(5) });
        const mineOld = sender({ agentId: a.id, createdAt: at(40) });
        const sharedTieSecond = sender({ createdAt: at(5) });
        for (const s of [sharedTieSecond, mineNew, sharedOld, theirs, mineOld, sharedTieFirst]) {
          await db.whatsappSenders.add(s);
        }

        expect(await db.whatsappSenders.candidatesFor(a.id)).toEqual([mineOld, mineNew, sharedOld, sharedTieFirst, sharedTieSecond]);
        expect(await db.whatsappSenders.candidatesFor(b.id)).toEqual([theirs, sharedOld, sharedTieFirst, sharedTieSecond]);
        expect(await db.whatsappSenders.candidatesFor('agt_unknown')).toEqual([sharedOld, sharedTieFirst, sharedTieSecond]);
      });

      it('returns nothing from an empty pool', async () => {
        const a = await storedAgent();
        expect(await db.whatsappSenders.candidatesFor(a.id)).toEqual([]);
        expect(await db.whatsappSenders.list()).toEqual([]);
      });

      it('refuses an address already in the pool with CONFLICT and writes nothing', async () => {
        const a = await storedAgent();
        const first = sender({ address: '+14440000001' });
        await db.whatsappSenders.add(first);

        const again = sender({ address: '+14440000001', agentId: a.id });
        expect(await codeOf(db.whatsappSenders.add(again))).toBe('CONFLICT');
        expect(await db.whatsappSenders.list()).toEqual([first]);
        expect(await db.whatsappSenders.candidatesFor(a.id)).toEqual([first]);
      });

      it('lets exactly one of two concurrent adds of one address through', async () => {
        const codes = await Promise.all([
          codeOf(db.whatsappSenders.add(sender({ address: '+14440000002' }))),
          codeOf(db.whatsappSenders.add(sender({ address: '+14440000002' }))),
        ]);
        expect(codes.sort()).toEqual(['CONFLICT', 'no error']);
        expect(await db.whatsappSenders.list()).toHaveLength(1);
      });
    });

    describe('call logs', () => {
      it('inserts a call and reads every field back unchanged', async () => {
        const a = await storedAgent();
        const call = callLog(a.id, {
          direction: 'inbound',
          status: 'completed',
          history: [
            { status: 'queued', at: '2026-11-24T10:00:00.123Z' },
            { status: 'ringing', at: '2026-11-24T10:00:01.000Z' },
            { status: 'in-progress', at: '2026-11-24T10:00:04.500Z' },
            { status: 'completed', at: '2026-11-24T10:01:04.999Z' },
          ],
          providerCallId: 'CA-full',
          audioUrl: 'https://media.example/audio/cal.mp3',
          audioKey: 'audio/2026/11/cal.mp3',
          answeredAt: at(4_377),
          endedAt: at(64_876),
          durationSeconds: 60,
          // Beyond 32 bits, negative (as charged): needs the bigint column.
          priceMicros: -12_345_678_901,
          currency: 'USD',
          errorCode: 'PROVIDER_REJECTED',
          errorMessage: 'Ünïcødé ✓ "quotes"',
          metadata: { text: 'Spoken ✓', voice: 'en-GB', repeat: 3, smsFallback: { sent: false, messageId: null } },
          createdAt: at(1),
          updatedAt: at(64_877),
          version: 4,
        });
        await db.calls.insert(call);
        expect(await db.calls.findById(call.id)).toEqual(call);
        expect(await db.calls.findById('cal_unknown')).toBeNull();
      });

      it('keeps an empty history, empty metadata and every nullable field as null', async () => {
        const a = await storedAgent();
        const call = callLog(a.id, { history: [], metadata: {} });
        await db.calls.insert(call);
        expect(await db.calls.findById(call.id)).toEqual(call);
      });

      it('insertOrFind: ten concurrent inserts of one provider call id store one call, and every one gets it', async () => {
        const a = await storedAgent();
        const b = await storedAgent();
        const attempts = Array.from({ length: 10 }, () => callLog(a.id, { providerCallId: 'CA-redelivered' }));
        const outcomes = await Promise.all(attempts.map((call) => db.calls.insertOrFind({ ...call, providerCallId: 'CA-redelivered' })));
        expect(outcomes.filter((o) => o.inserted)).toHaveLength(1);
        const first = outcomes.find((o) => o.inserted)!.call;
        expect(outcomes.map((o) => o.call.id)).toEqual(Array(10).fill(first.id));
        expect(await db.calls.findById(first.id)).toEqual(first);
        // The same provider id is another agent's call.
        const theirs = callLog(b.id, { providerCallId: 'CA-redelivered' });
        expect(await db.calls.insertOrFind({ ...theirs, providerCallId: 'CA-redelivered' })).toEqual({ inserted: true, call: theirs });
      });

      it('finds a call by provider id within the agent only', async () => {
        const a = await storedAgent();
        const b = await storedAgent();
        const mine = callLog(a.id, { providerCallId: 'CA-shared' });
        const theirs = callLog(b.id, { providerCallId: 'CA-shared' });
        // Calls not yet accepted by the provider have no provider id; any number of them may exist.
        const pending = [callLog(a.id), callLog(a.id)];
        for (const call of [mine, theirs, ...pending]) await db.calls.insert(call);

        expect(await db.calls.findByProviderId(a.id, 'CA-shared')).toEqual(mine);
        expect(await db.calls.findByProviderId(b.id, 'CA-shared')).toEqual(theirs);
        expect(await db.calls.findByProviderId(a.id, 'CA-unknown')).toBeNull();
        expect(await db.calls.findByProviderId('agt_unknown', 'CA-shared')).toBeNull();
        for (const call of pending) expect(await db.calls.findById(call.id)).toEqual(call);
      });

      it('updates only from the expected version and increments it', async () => {
        const a = await storedAgent();
        const call = callLog(a.id, { version: 3 });
        await db.calls.insert(call);

        const answered: CallLogRecord = {
          ...call,
          status: 'in-progress',
          history: [...call.history, { status: 'in-progress', at: at(2_000).toISOString() }],
          providerCallId: 'CA-upd',
          answeredAt: at(2_000),
          metadata: { ...call.metadata, answeredBy: 'human' },
          updatedAt: at(2_001),
        };
        expect(await db.calls.update(answered, 3)).toBe(true);
        expect(await db.calls.findById(call.id)).toEqual({ ...answered, version: 4 });
        expect(await db.calls.findByProviderId(a.id, 'CA-upd')).toEqual({ ...answered, version: 4 });

        // A writer still holding version 3 lost the race: nothing of its write is kept.
        const stale = { ...call, status: 'failed', errorCode: 'LATE', updatedAt: at(3_000) };
        expect(await db.calls.update(stale, 3)).toBe(false);
        expect(await db.calls.findById(call.id)).toEqual({ ...answered, version: 4 });

        // The stored version follows expectedVersion, whatever `next.version` says.
        const ended = { ...answered, status: 'completed', endedAt: at(9_000), durationSeconds: 7, version: 99, updatedAt: at(9_001) };
        expect(await db.calls.update(ended, 4)).toBe(true);
        expect(await db.calls.findById(call.id)).toEqual({ ...ended, version: 5 });
        expect(await db.calls.update({ ...ended, id: 'cal_unknown' }, 5)).toBe(false);
      });

      it('lets exactly one of concurrent writers with the same expected version win', async () => {
        const a = await storedAgent();
        const call = callLog(a.id);
        await db.calls.insert(call);

        const writers = Array.from({ length: 8 }, (_, i): CallLogRecord => ({
          ...call,
          status: 'ringing',
          history: [...call.history, { status: 'ringing', at: at(100 + i).toISOString() }],
          metadata: { writer: i },
          updatedAt: at(100 + i),
        }));
        const results = await Promise.all(writers.map((next) => db.calls.update(next, 0)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = writers[results.indexOf(true)] as CallLogRecord;
        expect(await db.calls.findById(call.id)).toEqual({ ...winner, version: 1 });
      });

      it('pages newest first with a (createdAt, id) cursor, ties broken by id, only the agent\'s own', async () => {
        const a = await storedAgent();
        const other = await storedAgent();
        const offsets = [0, 5, 5, 5, 5, 5, 9, 12];
        const all = offsets.map((offset) => callLog(a.id, { createdAt: at(offset), updatedAt: at(offset) }));
        for (const i of [3, 7, 0, 5, 1, 6, 4, 2]) await db.calls.insert(all[i] as CallLogRecord);
        await db.calls.insert(callLog(other.id, { createdAt: at(7) }));

        const seen: string[] = [];
        let before: CallLogQuery['before'];
        for (let page = 0; page < 10; page++) {
          const rows = await db.calls.list({ agentId: a.id, limit: 3, ...(before ? { before } : {}) });
          if (rows.length === 0) break;
          seen.push(...rows.map((c) => c.id));
          const last = rows[rows.length - 1] as CallLogRecord;
          // Built from what was read back: the millisecond round-trip is what makes this cursor exact.
          before = { createdAt: last.createdAt, id: last.id };
        }
        expect(seen).toEqual(newestFirst(all));
        expect(await db.calls.list({ agentId: a.id, limit: 2 })).toEqual([all[7], all[6]]);
        expect(await db.calls.list({ agentId: a.id, limit: 0 })).toEqual([]);
        expect(await db.calls.list({ agentId: 'agt_unknown', limit: 10 })).toEqual([]);
      });

      it('round-trips every timestamp to the millisecond', async () => {
        const a = await storedAgent();
        const instants = [new Date('2030-01-31T23:59:59.999Z'), new Date('2026-03-29T01:30:00.001Z'), at(0)];
        const calls = instants.map((instant, i) =>
          callLog(a.id, {
            startedAt: instant, answeredAt: new Date(instant.getTime() + 1), endedAt: new Date(instant.getTime() + 999),
            createdAt: instant, updatedAt: new Date(instant.getTime() + 1_001), providerCallId: `CA-ms-${i}`,
          }),
        );
        for (const call of calls) await db.calls.insert(call);
        for (const call of calls) {
          const found = await db.calls.findById(call.id);
          for (const field of ['startedAt', 'answeredAt', 'endedAt', 'createdAt', 'updatedAt'] as const) {
            expect(found?.[field]?.getTime()).toBe(call[field]?.getTime());
          }
        }
        // A cursor equal to a stored row excludes exactly that row and everything newer.
        const cursor = calls[2] as CallLogRecord;
        const older = await db.calls.list({ agentId: a.id, before: { createdAt: cursor.createdAt, id: cursor.id }, limit: 10 });
        expect(older.map((c) => c.id)).toEqual([calls[1]?.id]);
      });
    });

    describe('call turns', () => {
      it('appends turns and lists a call\'s transcript in seq order, every field as written', async () => {
        const call = await storedCall();
        const other = await storedCall();
        // Appended out of order, with seq 10 after 9 and 2 (numeric, not text, order) and createdAt
        // running against seq: only seq may decide the order.
        const stored = [
          turn(call.id, 1, { text: 'Hallo, ich möchte einen Termin ✓ "morgen"', createdAt: at(9_000) }),
          turn(call.id, 2, { text: '', interrupted: true, createdAt: at(8_000) }),
          turn(call.id, 9, { createdAt: at(7_000) }),
          turn(call.id, 10, { speaker: 'caller', createdAt: new Date('2026-03-29T01:30:00.001Z') }),
          turn(call.id, 11, { text: 'x'.repeat(20_000), createdAt: at(1) }),
        ];
        for (const i of [3, 0, 4, 2, 1]) await db.turns.append(stored[i] as CallTurnRecord);
        const elsewhere = turn(other.id, 1);
        await db.turns.append(elsewhere);

        expect(await db.turns.list(call.id)).toEqual(stored);
        expect(await db.turns.list(other.id)).toEqual([elsewhere]);
        expect(await db.turns.list('cal_unknown')).toEqual([]);
      });

      it('revises a turn\'s text and interruption, nothing else', async () => {
        const call = await storedCall();
        const caller = turn(call.id, 1);
        const reply = turn(call.id, 2, { text: 'Sure, your appointment is on Monday at nine and' });
        await db.turns.append(caller);
        await db.turns.append(reply);

        await db.turns.revise(reply.id, 'Sure, your appointment', true);
        const cut = { ...reply, text: 'Sure, your appointment', interrupted: true };
        expect(await db.turns.list(call.id)).toEqual([caller, cut]);
        // Writing what is already stored succeeds and changes nothing.
        await expect(db.turns.revise(reply.id, cut.text, true)).resolves.toBeUndefined();
        await db.turns.revise(caller.id, 'Hello again', false);
        expect(await db.turns.list(call.id)).toEqual([{ ...caller, text: 'Hello again' }, cut]);
      });

      it('stores a turn\'s latency breakdown with it, or records it later; nothing else changes', async () => {
        const call = await storedCall();
        const measured = { sttMs: 212, brainMs: 380, ttsMs: null, sendMs: 0, totalMs: null };
        const caller = turn(call.id, 1);
        const first = turn(call.id, 2, { latency: measured });
        const second = turn(call.id, 4);
        for (const t of [caller, first, turn(call.id, 3), second]) await db.turns.append(t);
        const later = { sttMs: 190, brainMs: 402, ttsMs: 95, sendMs: 1, totalMs: 688 };
        await db.turns.recordLatency(second.id, later);
        const listed = await db.turns.list(call.id);
        expect(listed.map((t) => t.latency)).toEqual([null, measured, null, later]);
        expect(listed[3]).toEqual({ ...second, latency: later });
        expect(await codeOf(db.turns.recordLatency('turn_unknown', later))).toBe('NOT_FOUND');
      });

      it('fails with NOT_FOUND when revising an unknown turn', async () => {
        const call = await storedCall();
        const t = turn(call.id, 1);
        await db.turns.append(t);
        expect(await codeOf(db.turns.revise('turn_unknown', 'x', true))).toBe('NOT_FOUND');
        expect(await db.turns.list(call.id)).toEqual([t]);
      });

      it('refuses a reused seq within a call, or a reused id, with CONFLICT and writes nothing', async () => {
        const call = await storedCall();
        const other = await storedCall();
        const t = turn(call.id, 1);
        await db.turns.append(t);

        expect(await codeOf(db.turns.append(turn(call.id, 1, { text: 'again' })))).toBe('CONFLICT');
        expect(await codeOf(db.turns.append({ ...turn(call.id, 2), id: t.id }))).toBe('CONFLICT');
        expect(await codeOf(db.turns.append({ ...turn(other.id, 5), id: t.id }))).toBe('CONFLICT');
        expect(await db.turns.list(call.id)).toEqual([t]);
        expect(await db.turns.list(other.id)).toEqual([]);
        // A seq is unique per call only.
        const same = turn(other.id, 1);
        await db.turns.append(same);
        expect(await db.turns.list(other.id)).toEqual([same]);
      });

      it('lets exactly one of concurrent appends of one seq through', async () => {
        const call = await storedCall();
        const attempts = Array.from({ length: 10 }, (_, i) => turn(call.id, 1, { text: `attempt ${i}` }));
        const codes = await Promise.all(attempts.map((t) => codeOf(db.turns.append(t))));
        expect(codes.filter((code) => code === 'no error')).toHaveLength(1);
        expect(codes.filter((code) => code === 'CONFLICT')).toHaveLength(9);
        expect(await db.turns.list(call.id)).toEqual([attempts[codes.indexOf('no error')]]);
      });
    });

    describe('send blocks (opt-outs and do-not-contact entries in one lookup)', () => {
      const h = (n: number): string => n.toString(16).padStart(64, '0');
      it('finds what findOptOuts and findDoNotContact find for a send, in their order, and only those', async () => {
        await db.compliance.addOptOut({ contactHash: h(1), channel: 'sms', sender: '+15550100001', scope: 'all', source: 'keyword', createdAt: at(2) });
        await db.compliance.addOptOut({ contactHash: h(1), channel: 'sms', sender: null, scope: 'marketing', source: 'admin', createdAt: at(1) });
        await db.compliance.addOptOut({ contactHash: h(1), channel: 'sms', sender: '+15550100009', scope: 'all', source: 'keyword', createdAt: at(0) });
        await db.compliance.addOptOut({ contactHash: h(1), channel: 'whatsapp', sender: null, scope: 'all', source: 'keyword', createdAt: at(0) });
        await db.compliance.addOptOut({ contactHash: h(3), channel: 'sms', sender: null, scope: 'all', source: 'provider', createdAt: at(3) });
        await db.compliance.addDoNotContact([
          { contactHash: h(1), agentId: 'agt_a', source: 'admin', createdAt: at(0) },
          { contactHash: h(1), agentId: null, source: 'import', createdAt: at(1) },
          { contactHash: h(2), agentId: 'agt_b', source: 'admin', createdAt: at(0) },
        ]);
        const hashes = [h(1), h(2)];
        const blocks = await db.compliance.findSendBlocks({ contactHashes: hashes, channel: 'sms', sender: '+15550100001', agentId: 'agt_a', doNotContact: true });
        expect(blocks).toEqual({
          optOuts: await db.compliance.findOptOuts(hashes, 'sms', '+15550100001'),
          doNotContact: await db.compliance.findDoNotContact(hashes, 'agt_a'),
        });
        expect(blocks.optOuts.map((o) => [o.sender, o.scope])).toEqual([[null, 'marketing'], ['+15550100001', 'all']]);
        expect(blocks.doNotContact.map((e) => e.agentId)).toEqual([null, 'agt_a']);
        expect(blocks.doNotContact[0]).toEqual({ contactHash: h(1), agentId: null, source: 'import', createdAt: at(1) });

        const email = await db.compliance.findSendBlocks({ contactHashes: hashes, channel: 'sms', sender: '+15550100001', agentId: 'agt_a', doNotContact: false });
        expect(email).toEqual({ optOuts: blocks.optOuts, doNotContact: [] });
        expect(await db.compliance.findSendBlocks({ contactHashes: [h(4)], channel: 'sms', sender: '+15550100001', agentId: 'agt_b', doNotContact: true }))
          .toEqual({ optOuts: [], doNotContact: [] });
        expect(await db.compliance.findSendBlocks({ contactHashes: [], channel: 'sms', sender: '+15550100001', agentId: 'agt_b', doNotContact: true }))
          .toEqual({ optOuts: [], doNotContact: [] });
      });

      it('answers many concurrent lookups of several agents, senders and channels each with its own blocks', async () => {
        // An implementation may read concurrent lookups together (PostgreSQL does): each must get exactly what it
        // would get alone, in the same order. (No two rows a lookup finds tie on the order: ties are left unspecified.)
        const senders = ['+15550100001', '+15550100002'];
        for (let n = 1; n <= 6; n++) {
          await db.compliance.addOptOut({ contactHash: h(n), channel: n % 2 ? 'sms' : 'email', sender: n % 3 ? senders[n % 2]! : null, scope: 'all', source: 'keyword', createdAt: at(100 - n) });
          await db.compliance.addOptOut({ contactHash: h(n), channel: 'sms', sender: senders[0]!, scope: 'marketing', source: 'admin', createdAt: at(n) });
        }
        await db.compliance.addDoNotContact([1, 2, 4, 7].flatMap((n) => [
          { contactHash: h(n), agentId: n % 2 ? 'agt_a' : 'agt_b', source: 'admin', createdAt: at(n) },
          ...(n === 4 ? [{ contactHash: h(n), agentId: null, source: 'import', createdAt: at(0) }] : []),
        ]));
        const queries = Array.from({ length: 48 }, (_, i) => ({
          contactHashes: i % 5 === 0 ? [h(i % 8), h((i + 3) % 8), h(i % 8)] : [h(i % 8)],
          channel: i % 4 === 3 ? 'email' as const : 'sms' as const,
          sender: senders[i % 2]!,
          agentId: i % 3 ? 'agt_a' : 'agt_b',
          doNotContact: i % 4 !== 3,
        }));
        const alone = [];
        for (const q of queries) alone.push(await db.compliance.findSendBlocks(q));
        expect(alone.filter((b) => b.optOuts.length > 0 && b.doNotContact.length > 0).length).toBeGreaterThan(3);
        expect(await Promise.all(queries.map((q) => db.compliance.findSendBlocks(q)))).toEqual(alone);
        // What the separate lookups find, too (contacts named twice read once).
        for (const q of queries) {
          expect(alone[queries.indexOf(q)]).toEqual({
            optOuts: await db.compliance.findOptOuts([...new Set(q.contactHashes)], q.channel, q.sender),
            doNotContact: q.doNotContact ? await db.compliance.findDoNotContact([...new Set(q.contactHashes)], q.agentId) : [],
          });
        }
      });
    });
  });
}
