import type { ContactRecord, TrafficPosition } from '../../ports/contacts.js';
import { DomainError } from '../../ports/errors.js';
import { actingAgent } from '../auth/authenticate.js';
import type { CorePorts, UseCaseContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { defineUseCase, untrustedUnder } from '../use-case.js';
import {
  THREAD_ITEM_UNTRUSTED, THREAD_SUMMARY_UNTRUSTED, contactViewProperties, previewOf, threadItemViewSchema, threadSummaryViewSchema, toContactView, toThreadItemView,
  type ContactView, type ThreadItemView, type ThreadSummaryView,
} from './thread-view.js';

const agentIdInput = { type: 'string', minLength: 1, description: 'Only with the admin token: the agent whose threads to read.' } as const;
const contactIdInput = { type: 'string', minLength: 1, maxLength: 64, description: 'A contactId from comms_list_threads.' } as const;
const limitInput = { type: 'integer', minimum: 1, maximum: 100, default: 20 } as const;
const cursorInput = { type: 'string', minLength: 1, maxLength: 200, description: 'nextCursor of the previous page.' } as const;

/** The acting agent's contact; NOT_FOUND for unknown ids and other agents' contacts alike. */
export async function requireAgentContact(ctx: UseCaseContext, agentId: string, contactId: string): Promise<ContactRecord> {
  const contact = await ctx.ports.db.contacts.find(agentId, contactId);
  if (!contact) {
    throw new DomainError('NOT_FOUND', `Contact ${contactId} does not exist for this agent.`, 'Take a contactId from comms_list_threads.', { contactId });
  }
  return contact;
}

async function lastOf(ports: CorePorts, contact: ContactRecord): Promise<ThreadSummaryView['last']> {
  if (!contact.last) return null;
  let item: ThreadItemView | null = null;
  if (contact.last.kind === 'message') {
    const message = await ports.db.messages.findById(contact.last.id);
    if (message) item = toThreadItemView({ kind: 'message', message });
  } else {
    const call = await ports.db.calls.findById(contact.last.id);
    if (call) item = toThreadItemView({ kind: 'call', call });
  }
  return item && { kind: item.kind, id: item.id, channel: item.channel, direction: item.direction, preview: previewOf(item), createdAt: item.createdAt };
}

export const listThreads = defineUseCase<{ agentId?: string; limit?: number; cursor?: string }, { threads: ThreadSummaryView[]; nextCursor: string | null }>({
  name: 'comms_list_threads',
  title: 'List conversations',
  description:
    'The agent\'s conversations, one per contact (a person with all their numbers and addresses), most recent first: ' +
    'name, addresses, last message or call, unread inbound count. Pass nextCursor back as cursor for older ones.',
  input: { type: 'object', additionalProperties: false, properties: { agentId: agentIdInput, limit: limitInput, cursor: cursorInput } },
  output: {
    type: 'object', additionalProperties: false, required: ['threads', 'nextCursor'],
    properties: { threads: { type: 'array', items: threadSummaryViewSchema }, nextCursor: { type: ['string', 'null'] } },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  untrusted: untrustedUnder('threads[]', THREAD_SUMMARY_UNTRUSTED),
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'threads',
  rest: { method: 'GET', path: '/threads' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const limit = input.limit ?? 20;
    const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    const contacts = await ctx.ports.db.contacts.listRecent(agent.id, before, limit + 1);
    const page = contacts.slice(0, limit);
    const threads = [];
    for (const contact of page) {
      threads.push({ ...toContactView(contact), last: await lastOf(ctx.ports, contact), unreadCount: await ctx.ports.db.contacts.unreadCount(contact) });
    }
    const tail = page[page.length - 1];
    return { threads, nextCursor: contacts.length > limit && tail?.last ? encodeCursor({ createdAt: tail.last.createdAt, id: tail.id }) : null };
  },
});

interface GetThreadOutput extends ContactView {
  /** Oldest first within the page; the page is the newest one unless a cursor says otherwise. */
  items: ThreadItemView[];
  unreadCount: number;
  /** Pass as cursor for the page before this one (older); null when this page reaches the first item. */
  nextCursor: string | null;
}

export const getThread = defineUseCase<{ agentId?: string; contactId: string; limit?: number; cursor?: string }, GetThreadOutput>({
  name: 'comms_get_thread',
  title: 'Read a conversation',
  description:
    'Messages (SMS, email, WhatsApp) and calls with one contact on any of their addresses, in time order, the newest ' +
    'page first; nextCursor pages back to older ones. Reading does not mark it read: call comms_mark_thread_read.',
  input: {
    type: 'object', additionalProperties: false, required: ['contactId'],
    properties: { agentId: agentIdInput, contactId: contactIdInput, limit: limitInput, cursor: cursorInput },
  },
  output: {
    type: 'object', additionalProperties: false, required: ['contactId', 'name', 'addresses', 'items', 'unreadCount', 'nextCursor'],
    properties: {
      ...contactViewProperties, items: { type: 'array', items: threadItemViewSchema }, unreadCount: { type: 'integer', minimum: 0 },
      nextCursor: { type: ['string', 'null'] },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  untrusted: untrustedUnder('items[]', THREAD_ITEM_UNTRUSTED),
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'threads',
  rest: { method: 'GET', path: '/threads/:contactId' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const contact = await requireAgentContact(ctx, agent.id, input.contactId);
    const limit = input.limit ?? 20;
    const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    const items = await ctx.ports.db.contacts.thread(contact, before, limit + 1);
    const page = items.slice(0, limit).map(toThreadItemView);
    const oldest = page[page.length - 1];
    return {
      ...toContactView(contact),
      items: page.reverse(),
      unreadCount: await ctx.ports.db.contacts.unreadCount(contact),
      nextCursor: items.length > limit && oldest ? encodeCursor({ createdAt: new Date(oldest.createdAt), id: oldest.id }) : null,
    };
  },
});

/** Where a read marker goes: the named message of the thread, or the thread's newest item. */
async function markerPosition(ctx: UseCaseContext, contact: ContactRecord, messageId: string | undefined): Promise<TrafficPosition | null> {
  if (messageId === undefined) {
    const [newest] = await ctx.ports.db.contacts.thread(contact, undefined, 1);
    return newest ? (newest.kind === 'message' ? newest.message : newest.call) : null;
  }
  const message = await ctx.ports.db.messages.findById(messageId);
  const party = message && (message.direction === 'outbound' ? message.to : message.from).toLowerCase();
  if (!message || message.agentId !== contact.agentId || !contact.addresses.some((a) => a.address === party)) {
    throw new DomainError('NOT_FOUND', `Message ${messageId} is not in this thread.`, 'Pass the id of a message listed by comms_get_thread, or leave throughMessageId out.', { field: 'throughMessageId' });
  }
  return message;
}

export const markThreadRead = defineUseCase<{ agentId?: string; contactId: string; throughMessageId?: string }, { contactId: string; readThrough: { id: string; createdAt: string } | null; unreadCount: number }>({
  name: 'comms_mark_thread_read',
  title: 'Mark a conversation read',
  description:
    'Marks the contact\'s inbound messages read up to throughMessageId (inclusive), or up to the newest when it is left out. ' +
    'The marker never moves back; unreadCount in comms_list_threads counts inbound messages after it.',
  input: {
    type: 'object', additionalProperties: false, required: ['contactId'],
    properties: { agentId: agentIdInput, contactId: contactIdInput, throughMessageId: { type: 'string', minLength: 1, maxLength: 64 } },
  },
  output: {
    type: 'object', additionalProperties: false, required: ['contactId', 'readThrough', 'unreadCount'],
    properties: {
      contactId: { type: 'string' },
      readThrough: {
        type: ['object', 'null'], additionalProperties: false, required: ['id', 'createdAt'],
        properties: { id: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
      },
      unreadCount: { type: 'integer', minimum: 0 },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'threads',
  rest: { method: 'POST', path: '/threads/:contactId/read' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const contact = await requireAgentContact(ctx, agent.id, input.contactId);
    const position = await markerPosition(ctx, contact, input.throughMessageId);
    if (position) await ctx.ports.db.contacts.markRead(agent.id, contact.id, { createdAt: position.createdAt, id: position.id }, ctx.ports.clock.now());
    const marked = await requireAgentContact(ctx, agent.id, contact.id);
    return {
      contactId: marked.id,
      readThrough: marked.readThrough ? { id: marked.readThrough.id, createdAt: marked.readThrough.createdAt.toISOString() } : null,
      unreadCount: await ctx.ports.db.contacts.unreadCount(marked),
    };
  },
});
