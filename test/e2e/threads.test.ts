import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { FakeClock } from '../support/fake-clock.js';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ResendSimulator } from '../simulators/resend/resend-simulator.js';

const AGENT_PHONE = '+15550100141';
const AGENT_EMAIL = 'agent@example.com';
const PERSON_PHONE = '+15550100142';
const PERSON_EMAIL = 'ada@example.com';

interface Item { kind: string; id: string; channel: string; direction: string; body: string | null; subject: string | null; inReplyTo: string | null }
interface Thread { contactId: string; name: string | null; addresses: Array<{ kind: string; address: string }>; items: Item[]; unreadCount: number; nextCursor: string | null }
interface Summary { contactId: string; name: string | null; addresses: Array<{ kind: string; address: string }>; unreadCount: number; last: { id: string; channel: string; preview: string } | null }
interface Threads { threads: Summary[]; nextCursor: string | null }

const databases = [
  { name: 'SQLite', postgres: false },
  ...(POSTGRES_URL ? [{ name: 'PostgreSQL', postgres: true }] : []),
];

describe.each(databases)('conversations across channels over MCP on $name', ({ postgres }) => {
  const sim = new ResendSimulator({ eventDelayMs: 5 });
  // Every step one second later: the thread's order is the order of the steps, not of random id tails.
  const clock = new FakeClock(new Date());
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let other: { agentId: string; token: string };
  let client: Client;
  let otherClient: Client;
  const step = () => clock.advance(1000);

  beforeAll(async () => {
    await sim.start();
    server = await startTestServer({
      clock,
      ...(postgres ? { db: { use: 'postgresql', options: { url: POSTGRES_URL!, schema: testSchemaName() } } } : {}),
      extra: {
        email: { use: 'resend', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, webhookSecret: sim.webhookSecret, timeoutMs: 1500 } },
        tts: { use: 'mock' }, storage: { use: 'local' },
      },
    });
    agent = await server.createAgent({ name: 'Threads', phone: AGENT_PHONE, email: AGENT_EMAIL });
    other = await server.createAgent({ name: 'Other', phone: '+15550100143' });
    sim.webhookUrl = `${server.url}/webhooks/${agent.agentId}/email`;
    client = await connectHttpClient(server.url, agent.token);
    otherClient = await connectHttpClient(server.url, other.token);
  });
  afterAll(async () => {
    await client?.close();
    await otherClient?.close();
    await server?.close();
    await sim.stop();
  });

  const inboundSms = async (body: string, sid: string) => {
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const form = new URLSearchParams({ MessageSid: sid, From: PERSON_PHONE, To: AGENT_PHONE, Body: body }).toString();
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': signMockWebhook('demo-secret', url, form) }, body: form });
    expect(answer.status).toBe(200);
  };
  const threads = () => callOk<Threads>(client, 'comms_list_threads', {});
  const holding = (list: Threads, address: string) => list.threads.find((t) => t.addresses.some((a) => a.address === address))!;
  const thread = (contactId: string, more: Record<string, unknown> = {}) => callOk<Thread>(client, 'comms_get_thread', { contactId, ...more });

  let sms: string;
  let question: string;
  let reply: string;
  let answer: string;
  let call: string;
  let lateSms: string;

  it('threads an email reply by Message-ID: inReplyTo picks the recipient, says "Re:" once, sets In-Reply-To and References', async () => {
    sms = (await callOk<{ messageId: string }>(client, 'comms_send_message', { channel: 'sms', to: PERSON_PHONE, body: 'Your table is booked for 8 pm.' })).messageId;
    step();
    const theirs = '<q1@mail.example.com>';
    await sim.injectInbound({ from: `Ada Lovelace <${PERSON_EMAIL}>`, to: [AGENT_EMAIL], subject: 'Question about the booking', text: 'Can we come at 9?', messageId: theirs, headers: { references: '<older@mail.example.com>' } });
    step();
    const listed = await threads();
    question = (await thread(holding(listed, PERSON_EMAIL).contactId)).items.at(-1)!.id;

    const sent = await callOk<{ messageId: string; to: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'email', inReplyTo: question, text: '9 pm works.' });
    reply = sent.messageId;
    expect(sent.to).toBe(PERSON_EMAIL);
    const far = sim.emails.find((e) => e.id === sent.providerMessageId)!;
    expect(far.subject).toBe('Re: Question about the booking');
    expect(far.headers).toEqual({ 'Message-ID': `<${reply}@example.com>`, 'In-Reply-To': theirs, References: `<older@mail.example.com> ${theirs}` });
    expect(sim.specViolations).toEqual([]);
    step();

    // Their answer to our reply: In-Reply-To names our Message-ID, and the view names our message.
    await sim.injectInbound({
      from: PERSON_EMAIL, to: [AGENT_EMAIL], subject: 'Re: Question about the booking', text: 'Great, thanks!',
      headers: { 'in-reply-to': `<${reply}@example.com>`, references: `${theirs} <${reply}@example.com>` },
    });
    step();
    const emailThread = await thread(holding(await threads(), PERSON_EMAIL).contactId);
    answer = emailThread.items.at(-1)!.id;
    expect(emailThread.items.map((i) => [i.direction, i.subject, i.inReplyTo])).toEqual([
      ['inbound', 'Question about the booking', null],
      ['outbound', 'Re: Question about the booking', question],
      ['inbound', 'Re: Question about the booking', reply],
    ]);
    // A reply to a reply keeps one "Re:" and carries the whole chain.
    const again = await callOk<{ providerMessageId: string; messageId: string }>(client, 'comms_send_message', { channel: 'email', inReplyTo: answer, text: 'See you.' });
    const second = sim.emails.find((e) => e.id === again.providerMessageId)!;
    expect(second.subject).toBe('Re: Question about the booking');
    const parent = second.headers['In-Reply-To']!;
    expect(parent).toMatch(/^<.+@mail\.example\.com>$/);
    expect(second.headers.References).toBe(`${theirs} <${reply}@example.com> ${parent}`);
    step();
  });

  it('refuses an inReplyTo of another agent, a to that is not the person, and a send with neither to nor inReplyTo', async () => {
    expect((await callErr(otherClient, 'comms_send_message', { channel: 'sms', inReplyTo: sms, body: 'x' })).code).toBe('NOT_FOUND');
    expect((await callErr(client, 'comms_send_message', { channel: 'email', inReplyTo: question, to: 'someone@example.com', text: 'x' })).code).toBe('INVALID_INPUT');
    expect((await callErr(client, 'comms_send_message', { channel: 'sms', body: 'x' })).code).toBe('INVALID_INPUT');
    // The email contact has no phone number yet: an SMS answer needs the contacts merged first.
    expect(await callErr(client, 'comms_send_message', { channel: 'sms', inReplyTo: question, body: 'x' })).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'to' } });
  });

  it('shows one conversation with the person after merging: SMS, email reply and call in time order; replies cross channels', async () => {
    call = (await callOk<{ callId: string }>(client, 'comms_send_voice_message', { to: PERSON_PHONE, text: 'Reminder: dinner at 9.' })).callId;
    step();
    await inboundSms('On my way', 'SMTHREAD1');
    step();
    const before = await threads();
    const phone = holding(before, PERSON_PHONE);
    const email = holding(before, PERSON_EMAIL);
    expect(phone.contactId).not.toBe(email.contactId);
    expect(before.threads[0]!.contactId).toBe(phone.contactId);
    expect(phone).toMatchObject({ unreadCount: 1, last: { channel: 'sms', preview: 'On my way' } });
    expect(email.unreadCount).toBe(2);

    const merged = await callOk<{ contactId: string; addresses: unknown[] }>(client, 'comms_merge_contacts', { contactId: phone.contactId, mergeContactId: email.contactId });
    expect(merged.addresses).toEqual(expect.arrayContaining([{ kind: 'phone', address: PERSON_PHONE }, { kind: 'email', address: PERSON_EMAIL }]));
    expect(await callOk(client, 'comms_update_contact', { contactId: phone.contactId, name: 'Ada' })).toMatchObject({ name: 'Ada' });
    const after = await threads();
    expect(after.threads).toHaveLength(1);
    expect(after.threads[0]).toMatchObject({ contactId: phone.contactId, name: 'Ada', unreadCount: 3 });

    const conversation = await thread(phone.contactId, { limit: 100 });
    expect(conversation.items.map((i) => `${i.kind}:${i.channel}:${i.direction}`)).toEqual([
      'message:sms:outbound', 'message:email:inbound', 'message:email:outbound', 'message:email:inbound', 'message:email:outbound',
      'call:voice:outbound', 'message:sms:inbound',
    ]);
    expect(conversation.items[0]!.id).toBe(sms);
    expect(conversation.items[5]!.id).toBe(call);
    lateSms = conversation.items[6]!.id;

    // Answering the email by SMS reaches the person's phone now that the contacts are one.
    const bySms = await callOk<{ to: string }>(client, 'comms_send_message', { channel: 'sms', inReplyTo: question, body: 'Text me when you are here.' });
    expect(bySms.to).toBe(PERSON_PHONE);
    step();
    expect((await thread(phone.contactId)).items.at(-1)).toMatchObject({ channel: 'sms', direction: 'outbound', inReplyTo: question });
  });

  it('counts unread inbound messages after the read marker', async () => {
    const contactId = (await threads()).threads[0]!.contactId;
    expect(await callOk(client, 'comms_mark_thread_read', { contactId, throughMessageId: answer })).toMatchObject({ unreadCount: 1, readThrough: { id: answer } });
    expect((await threads()).threads[0]!.unreadCount).toBe(1);
    expect(await callOk(client, 'comms_mark_thread_read', { contactId })).toMatchObject({ unreadCount: 0 });
    // Marking an earlier message afterwards does not make anything unread again.
    expect(await callOk(client, 'comms_mark_thread_read', { contactId, throughMessageId: question })).toMatchObject({ unreadCount: 0 });
    await inboundSms('Parking is full', 'SMTHREAD2');
    step();
    expect((await threads()).threads[0]!.unreadCount).toBe(1);
    expect((await callErr(client, 'comms_mark_thread_read', { contactId, throughMessageId: 'msg_unknown' })).code).toBe('NOT_FOUND');
  });

  it('pages a thread back in time without gaps or repeats', async () => {
    const contactId = (await threads()).threads[0]!.contactId;
    const whole = (await thread(contactId, { limit: 100 })).items.map((i) => i.id);
    expect(whole).toContain(lateSms);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await thread(contactId, { limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.length).toBe(Math.ceil(whole.length / 3));
    expect(pages.reverse().flat()).toEqual(whole);
  });

  it('keeps agents apart: another agent sees none of these contacts or threads', async () => {
    const contactId = (await threads()).threads[0]!.contactId;
    expect((await callOk<Threads>(otherClient, 'comms_list_threads', {})).threads).toEqual([]);
    expect((await callErr(otherClient, 'comms_get_thread', { contactId })).code).toBe('NOT_FOUND');
    expect((await callErr(otherClient, 'comms_update_contact', { contactId, name: 'Mine now' })).code).toBe('NOT_FOUND');
    expect((await callErr(otherClient, 'comms_mark_thread_read', { contactId })).code).toBe('NOT_FOUND');
    await callOk(otherClient, 'comms_send_message', { channel: 'sms', to: PERSON_PHONE, body: 'Hello from another agent' });
    const theirs = (await callOk<Threads>(otherClient, 'comms_list_threads', {})).threads;
    expect(theirs).toHaveLength(1);
    expect(theirs[0]!.contactId).not.toBe(contactId);
    expect((await callErr(otherClient, 'comms_merge_contacts', { contactId: theirs[0]!.contactId, mergeContactId: contactId })).code).toBe('NOT_FOUND');
    expect((await threads()).threads[0]).toMatchObject({ contactId, name: 'Ada' });
  });
});
