import type { ContactRecord, ThreadItem } from '../../ports/contacts.js';
import type { CallLogRecord, MessageRecord } from '../../ports/records.js';

/**
 * Fields of these views that hold text written by third parties (the person's messages, email subjects, the
 * preview cut from them): the thread tools declare them untrusted, and hosts fence them.
 * `name` is the agent's own label and trusted; addresses are normalised numbers and mailboxes.
 */
export const THREAD_ITEM_UNTRUSTED = ['body', 'subject'] as const;
export const THREAD_SUMMARY_UNTRUSTED = ['last.preview'] as const;

const PREVIEW_LENGTH = 120;

/** One message or call of a thread, in the same shape whatever the channel. */
export interface ThreadItemView {
  kind: 'message' | 'call';
  id: string;
  /** sms, email, whatsapp, or voice for calls. */
  channel: string;
  direction: string;
  from: string;
  to: string;
  status: string;
  /** Message text; for calls, the text a voice message spoke (the transcript is in comms_get_call). Third-party text when inbound. */
  body: string | null;
  /** Email subject; third-party text when inbound. */
  subject: string | null;
  /** The message of ours (or theirs) this one answers, when known: replyTo of a send, In-Reply-To of a received email. */
  inReplyTo: string | null;
  durationSeconds: number | null;
  createdAt: string;
}

export interface ContactView {
  contactId: string;
  /** Given by the agent (comms_update_contact); null until then. */
  name: string | null;
  addresses: Array<{ kind: string; address: string }>;
}

export interface ThreadSummaryView extends ContactView {
  /** The newest message or call with the contact. */
  last: { kind: 'message' | 'call'; id: string; channel: string; direction: string; preview: string; createdAt: string } | null;
  /** Inbound messages after the read marker (comms_mark_thread_read). */
  unreadCount: number;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function messageItem(m: MessageRecord): ThreadItemView {
  return {
    kind: 'message', id: m.id, channel: m.channel, direction: m.direction, from: m.from, to: m.to, status: m.status,
    body: m.body, subject: text(m.metadata.subject), inReplyTo: text(m.metadata.inReplyTo), durationSeconds: null,
    createdAt: m.createdAt.toISOString(),
  };
}

function callItem(c: CallLogRecord): ThreadItemView {
  return {
    kind: 'call', id: c.id, channel: 'voice', direction: c.direction, from: c.from, to: c.to, status: c.status,
    body: text(c.metadata.text), subject: null, inReplyTo: null, durationSeconds: c.durationSeconds,
    createdAt: c.createdAt.toISOString(),
  };
}

export function toThreadItemView(item: ThreadItem): ThreadItemView {
  return item.kind === 'message' ? messageItem(item.message) : callItem(item.call);
}

/** A short line for a thread list: an email's subject, else the start of the text; a call's status. */
export function previewOf(item: ThreadItemView): string {
  const line = item.kind === 'call' ? `${item.direction} call, ${item.status}` : (item.subject ?? item.body ?? '');
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_LENGTH ? `${flat.slice(0, PREVIEW_LENGTH - 1)}…` : flat;
}

export function toContactView(c: ContactRecord): ContactView {
  return { contactId: c.id, name: c.name, addresses: c.addresses.map((a) => ({ kind: a.kind, address: a.address })) };
}

const nullableString = { type: ['string', 'null'] } as const;

export const contactViewProperties = {
  contactId: { type: 'string' },
  name: { ...nullableString, description: 'Set by the agent.' },
  addresses: {
    type: 'array',
    items: {
      type: 'object', additionalProperties: false, required: ['kind', 'address'],
      properties: { kind: { type: 'string', enum: ['phone', 'email', 'whatsapp'] }, address: { type: 'string' } },
    },
  },
} as const;

export const contactViewSchema = {
  type: 'object', additionalProperties: false, required: ['contactId', 'name', 'addresses'], properties: contactViewProperties,
} as const;

export const threadItemViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'id', 'channel', 'direction', 'from', 'to', 'status', 'body', 'subject', 'inReplyTo', 'durationSeconds', 'createdAt'],
  properties: {
    kind: { type: 'string', enum: ['message', 'call'] },
    id: { type: 'string' },
    channel: { type: 'string', enum: ['sms', 'email', 'whatsapp', 'voice'] },
    direction: { type: 'string', enum: ['outbound', 'inbound'] },
    from: { type: 'string' },
    to: { type: 'string' },
    status: { type: 'string' },
    body: { ...nullableString, description: 'Untrusted when inbound: the other party wrote it.' },
    subject: { ...nullableString, description: 'Email subject; untrusted when inbound.' },
    inReplyTo: nullableString,
    durationSeconds: { type: ['integer', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const threadSummaryViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['contactId', 'name', 'addresses', 'last', 'unreadCount'],
  properties: {
    ...contactViewProperties,
    last: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['kind', 'id', 'channel', 'direction', 'preview', 'createdAt'],
      properties: {
        kind: { type: 'string', enum: ['message', 'call'] },
        id: { type: 'string' },
        channel: { type: 'string' },
        direction: { type: 'string' },
        preview: { type: 'string', description: 'Untrusted when the last item is inbound.' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    unreadCount: { type: 'integer', minimum: 0 },
  },
} as const;
