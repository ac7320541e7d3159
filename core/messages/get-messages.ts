import { DomainError } from '../../ports/errors.js';
import { CHANNELS, type Channel, type Direction } from '../../ports/records.js';
import { actingAgent } from '../auth/authenticate.js';
import { defineUseCase, untrustedUnder } from '../use-case.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { MESSAGE_UNTRUSTED, type MessageView, messageViewSchema, toMessageView } from './message-view.js';

export interface GetMessagesInput {
  agentId?: string;
  channel?: Channel;
  direction?: Direction;
  contact?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

export interface GetMessagesOutput {
  messages: MessageView[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const getMessages = defineUseCase<GetMessagesInput, GetMessagesOutput>({
  name: 'comms_get_messages',
  title: 'Get messages',
  description:
    'This agent\'s messages, sent and received, newest first, filtered by channel, direction, contact (the other ' +
    'party\'s number or address) and since. Pass nextCursor as cursor for the next page.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token: the agent whose messages to list.' },
      channel: { type: 'string', enum: [...CHANNELS] },
      direction: { type: 'string', enum: ['outbound', 'inbound'] },
      contact: { type: 'string', minLength: 1, maxLength: 320, },
      since: { type: 'string', format: 'date-time' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      cursor: { type: 'string', minLength: 1, maxLength: 200 },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['messages', 'nextCursor'],
    properties: {
      messages: { type: 'array', items: messageViewSchema },
      nextCursor: { type: ['string', 'null'] },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'messaging',
  untrusted: untrustedUnder('messages[]', MESSAGE_UNTRUSTED),
  rest: { method: 'GET', path: '/messages' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const limit = input.limit ?? 20;
    const since = input.since === undefined ? undefined : parseSince(input.since);
    const rows = await ctx.ports.db.messages.list({
      agentId: agent.id,
      channel: input.channel,
      direction: input.direction,
      contact: input.contact?.trim(),
      since,
      before: input.cursor === undefined ? undefined : decodeCursor(input.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      messages: page.map(toMessageView),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  },
});

function parseSince(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DomainError('INVALID_INPUT', 'since must be an ISO 8601 date-time.', 'Use a time such as 2026-01-31T12:00:00Z.', { field: 'since' });
  }
  return date;
}
