/**
 * Contract of the contact repository (ports/contacts.ts), part of the `db` port's suite: contacts created from
 * traffic in the insert's own transaction (once, also under concurrency), threads across channels and calls in
 * keyset pages, read markers and unread counts, names, merges, erasure and agent isolation. Same lifecycle as
 * `describeDatabaseContract`, which runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallLogRecord, Channel, Direction, MessageRecord } from '../ports/records.js';
import type { Database } from '../ports/repositories.js';

export interface ContactsContractOptions {
  factory: () => Promise<Database>;
  teardown?: (db: Database) => Promise<void>;
}

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const OURS = { sms: '+15550100001', email: 'agent@example.com', whatsapp: '+15550100001' } as const;
const PHONE = '+15550100111';
const EMAIL = 'ada@example.com';

export function describeContactsContract(options: ContactsContractOptions): void {
  describe('contacts and threads', () => {
    let db: Database;
    let n = 0;
    let counter = 0;
    const id = (prefix: string) => `${prefix}_${String(++counter).padStart(8, '0')}`;
    let agentId: string;
    let otherAgentId: string;

    const createAgent = async (): Promise<string> => {
      const agent = `agt_contacts_${++n}`;
      await db.agents.create({
        id: agent, name: 'contacts', tokenHash: `hash-${agent}`, callbackUrl: null, callbackSecret: 'whsec_x', status: 'active', voice: {}, createdAt: at(0), updatedAt: at(0),
      }, []);
      return agent;
    };

    beforeEach(async () => {
      db = await options.factory();
      await db.migrate();
      agentId = await createAgent();
      otherAgentId = await createAgent();
    });

    afterEach(async () => {
      await db.close();
      await options.teardown?.(db);
    });

    const message = (channel: Channel, direction: Direction, party: string, second: number, overrides: Partial<MessageRecord> = {}): MessageRecord => ({
      id: id('msg'), agentId, channel, direction,
      from: direction === 'outbound' ? OURS[channel] : party, to: direction === 'outbound' ? party : OURS[channel],
      body: `${channel} ${direction} at ${second}`, status: direction === 'outbound' ? 'sent' : 'received', provider: 'mock',
      providerMessageId: id('prov'), idempotencyKey: null, requestHash: null, errorCode: null, errorMessage: null, metadata: {},
      createdAt: at(second), updatedAt: at(second), ...overrides,
    });

    const call = (direction: Direction, party: string, second: number): CallLogRecord => ({
      id: id('call'), agentId, direction, from: direction === 'outbound' ? OURS.sms : party, to: direction === 'outbound' ? party : OURS.sms,
      status: 'completed', history: [], provider: 'mock', providerCallId: id('CA'), audioUrl: null, audioKey: null, startedAt: at(second),
      answeredAt: null, endedAt: null, durationSeconds: 30, priceMicros: null, currency: null, errorCode: null, errorMessage: null,
      metadata: {}, createdAt: at(second), updatedAt: at(second), version: 0,
    });

    const inbound = (m: MessageRecord) => db.messages.insertInbound(m, null);

    it('creates a contact on the first message with an address, and files later traffic under it', async () => {
      expect(await db.contacts.findByAddress(agentId, 'phone', PHONE)).toBeNull();
      await db.messages.insertOutbound(message('sms', 'outbound', PHONE, 1));
      const contact = await db.contacts.findByAddress(agentId, 'phone', PHONE);
      expect(contact).toMatchObject({ agentId, name: null, addresses: [{ kind: 'phone', address: PHONE }], readThrough: null });
      // With its callback delivery: on PostgreSQL one statement writes both, and the contact still files it.
      const withDelivery = message('sms', 'inbound', PHONE, 2);
      await db.messages.insertInbound(withDelivery, {
        id: id('dlv'), agentId, messageId: withDelivery.id, url: 'https://agent.example/callbacks', payload: '{}', status: 'pending', attempts: 0,
        nextAttemptAt: at(2), lastError: null, createdAt: at(2), updatedAt: at(2),
      });
      expect((await db.contacts.find(agentId, contact!.id))?.last?.id).toBe(withDelivery.id);
      const c = await db.calls.insertOrFind({ ...call('inbound', PHONE, 3), providerCallId: 'CA-1' });
      expect((await db.contacts.find(agentId, contact!.id))?.last).toEqual({ createdAt: at(3), id: c.call.id, kind: 'call' });
      expect((await db.contacts.listRecent(agentId, undefined, 10)).map((x) => x.id)).toEqual([contact!.id]);
    });

    it('compares email addresses lower-cased and keeps each kind apart until merged', async () => {
      await inbound(message('email', 'inbound', 'Ada@Example.COM', 1));
      await db.messages.insertOutbound(message('email', 'outbound', EMAIL, 2));
      await db.messages.insertOutbound(message('whatsapp', 'outbound', PHONE, 3));
      await db.messages.insertOutbound(message('sms', 'outbound', PHONE, 4));
      const recent = await db.contacts.listRecent(agentId, undefined, 10);
      expect(recent.map((c) => c.addresses)).toEqual([[{ kind: 'phone', address: PHONE }], [{ kind: 'whatsapp', address: PHONE }], [{ kind: 'email', address: EMAIL }]]);
      expect((await db.contacts.thread(recent[2]!, undefined, 10)).length).toBe(2);
    });

    it('creates one contact from 20 concurrent first messages with the same address', async () => {
      const messages = Array.from({ length: 20 }, (_, i) => message('sms', i % 2 === 0 ? 'inbound' : 'outbound', PHONE, 1 + i));
      await Promise.all(messages.map((m) => (m.direction === 'inbound' ? inbound(m) : db.messages.insertOutbound(m))));
      const recent = await db.contacts.listRecent(agentId, undefined, 50);
      expect(recent).toHaveLength(1);
      expect(recent[0]!.last).toMatchObject({ createdAt: at(20), id: messages[19]!.id });
      expect(await db.contacts.thread(recent[0]!, undefined, 50)).toHaveLength(20);
    });

    it('does not file a message whose insert was refused as a duplicate', async () => {
      const first = message('sms', 'outbound', PHONE, 1, { idempotencyKey: 'k1' });
      await db.messages.insertOutbound(first);
      await db.messages.insertOutbound({ ...message('sms', 'outbound', PHONE, 5), idempotencyKey: 'k1' });
      expect((await db.contacts.findByAddress(agentId, 'phone', PHONE))?.last?.id).toBe(first.id);
    });

    it('merges two contacts: addresses move, threads combine in time order across channels and calls', async () => {
      const sms = message('sms', 'outbound', PHONE, 1);
      const email = message('email', 'inbound', EMAIL, 2);
      await db.messages.insertOutbound(sms);
      await inbound(email);
      const phoneCall = call('outbound', PHONE, 3);
      await db.calls.insert(phoneCall);
      const phoneContact = (await db.contacts.findByAddress(agentId, 'phone', PHONE))!;
      const emailContact = (await db.contacts.findByAddress(agentId, 'email', EMAIL))!;
      expect(await db.contacts.rename(agentId, emailContact.id, 'Ada', at(4))).toBe(true);
      const merged = await db.contacts.merge(agentId, phoneContact.id, emailContact.id, at(5));
      expect(merged).toMatchObject({ id: phoneContact.id, name: 'Ada', last: { id: phoneCall.id, kind: 'call' } });
      expect(merged!.addresses).toEqual(expect.arrayContaining([{ kind: 'phone', address: PHONE }, { kind: 'email', address: EMAIL }]));
      expect(await db.contacts.find(agentId, emailContact.id)).toBeNull();
      const items = await db.contacts.thread(merged!, undefined, 10);
      expect(items.map((i) => (i.kind === 'message' ? i.message.id : i.call.id))).toEqual([phoneCall.id, email.id, sms.id]);
      // New traffic on the moved address lands in the merged contact.
      await db.messages.insertOutbound(message('email', 'outbound', EMAIL, 6));
      expect((await db.contacts.find(agentId, phoneContact.id))?.last?.createdAt).toEqual(at(6));
    });

    it('pages a thread by keyset, newest first, without gaps or repeats', async () => {
      for (let i = 1; i <= 7; i++) {
        if (i % 3 === 0) await db.calls.insert(call('inbound', PHONE, i));
        else await inbound(message('sms', 'inbound', PHONE, i));
      }
      const contact = (await db.contacts.findByAddress(agentId, 'phone', PHONE))!;
      const seen: number[] = [];
      let before: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const page = await db.contacts.thread(contact, before, 3);
        if (page.length === 0) break;
        const positions = page.map((i) => (i.kind === 'message' ? i.message : i.call));
        seen.push(...positions.map((p) => (p.createdAt.getTime() - T0) / 1000));
        before = positions[positions.length - 1];
      }
      expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
    });

    it('counts unread inbound messages after the read marker, which only moves forward', async () => {
      for (let i = 1; i <= 4; i++) await inbound(message('sms', 'inbound', PHONE, i));
      await db.messages.insertOutbound(message('sms', 'outbound', PHONE, 5));
      let contact = (await db.contacts.findByAddress(agentId, 'phone', PHONE))!;
      expect(await db.contacts.unreadCount(contact)).toBe(4);
      const items = await db.contacts.thread(contact, undefined, 10);
      const second = items.find((i) => i.kind === 'message' && i.message.createdAt.getTime() === at(2).getTime())!;
      const secondPosition = second.kind === 'message' ? second.message : second.call;
      expect(await db.contacts.markRead(agentId, contact.id, secondPosition, at(6))).toBe(true);
      contact = (await db.contacts.find(agentId, contact.id))!;
      expect(await db.contacts.unreadCount(contact)).toBe(2);
      await db.contacts.markRead(agentId, contact.id, { createdAt: at(1), id: 'msg_0' }, at(7));
      contact = (await db.contacts.find(agentId, contact.id))!;
      expect(contact.readThrough).toEqual({ createdAt: at(2), id: secondPosition.id });
    });

    it('keeps agents apart: another agent cannot find, name, mark, merge or list them', async () => {
      await db.messages.insertOutbound(message('sms', 'outbound', PHONE, 1));
      await db.messages.insertOutbound({ ...message('sms', 'outbound', PHONE, 2), agentId: otherAgentId });
      const mine = (await db.contacts.findByAddress(agentId, 'phone', PHONE))!;
      const theirs = (await db.contacts.findByAddress(otherAgentId, 'phone', PHONE))!;
      expect(theirs.id).not.toBe(mine.id);
      expect(await db.contacts.find(otherAgentId, mine.id)).toBeNull();
      expect(await db.contacts.rename(otherAgentId, mine.id, 'x', at(3))).toBe(false);
      expect(await db.contacts.markRead(otherAgentId, mine.id, { createdAt: at(3), id: 'msg_x' }, at(3))).toBe(false);
      expect(await db.contacts.merge(otherAgentId, theirs.id, mine.id, at(3))).toBeNull();
      expect((await db.contacts.listRecent(otherAgentId, undefined, 10)).map((c) => c.id)).toEqual([theirs.id]);
      expect(await db.contacts.thread(theirs, undefined, 10)).toHaveLength(1);
    });

    it('erases every contact holding an address, in every agent, with all its addresses and name', async () => {
      await db.messages.insertOutbound(message('sms', 'outbound', PHONE, 1));
      await inbound(message('email', 'inbound', EMAIL, 2));
      await db.messages.insertOutbound({ ...message('sms', 'outbound', PHONE, 3), agentId: otherAgentId });
      const phone = (await db.contacts.findByAddress(agentId, 'phone', PHONE))!;
      const email = (await db.contacts.findByAddress(agentId, 'email', EMAIL))!;
      await db.contacts.merge(agentId, phone.id, email.id, at(4));
      await db.contacts.rename(agentId, phone.id, 'Ada', at(4));
      expect(await db.contacts.eraseByAddress(PHONE)).toBe(2);
      expect(await db.contacts.findByAddress(agentId, 'email', EMAIL)).toBeNull();
      expect(await db.contacts.listRecent(agentId, undefined, 10)).toEqual([]);
      expect(await db.contacts.listRecent(otherAgentId, undefined, 10)).toEqual([]);
    });

    it('finds the email message carrying an RFC 5322 Message-ID, for this agent only', async () => {
      const sent = message('email', 'outbound', EMAIL, 1, { metadata: { subject: 'Hi', messageIdHeader: '<m1@example.com>' } });
      await db.messages.insertOutbound(sent);
      expect((await db.contacts.findEmailByMessageId(agentId, '<m1@example.com>'))?.id).toBe(sent.id);
      expect(await db.contacts.findEmailByMessageId(otherAgentId, '<m1@example.com>')).toBeNull();
      expect(await db.contacts.findEmailByMessageId(agentId, '<other@example.com>')).toBeNull();
    });
  });
}
