import { DomainError } from '../../ports/errors.js';
import { CHANNELS, type Channel, type MessageRecord } from '../../ports/records.js';
import { actingAgent } from '../auth/authenticate.js';
import type { CorePorts } from '../context.js';
import { Doorbell } from '../doorbell.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import { defineUseCase, untrustedUnder } from '../use-case.js';
import { MESSAGE_UNTRUSTED, type MessageView, messageViewSchema, toMessageView } from './message-view.js';

export interface WaitForMessageInput {
  agentId?: string;
  channel?: Channel;
  contact?: string;
  after?: string;
  timeoutSeconds?: number;
  limit?: number;
}

export interface WaitForMessageOutput {
  /** Oldest first. */
  messages: MessageView[];
  /** Pass as `after` next time: what comes after the last message returned (or after this wait, when none). */
  cursor: string;
  timedOut: boolean;
}

export const DEFAULT_WAIT_SECONDS = 25;
const PAGE = 100;

type Position = { createdAt: Date; id: string };

const isAfter = (m: MessageRecord, p: Position): boolean =>
  m.createdAt.getTime() > p.createdAt.getTime() || (m.createdAt.getTime() === p.createdAt.getTime() && m.id > p.id);

/** Where to start: after one of the agent's messages (sent or received), after a cursor, or now. */
async function startPosition(ports: CorePorts, agentId: string, after: string | undefined): Promise<Position> {
  if (after === undefined) return { createdAt: ports.clock.now(), id: '' };
  if (!after.startsWith('msg_')) return decodeCursor(after);
  const message = await ports.db.messages.findById(after);
  if (!message || message.agentId !== agentId) {
    throw new DomainError('NOT_FOUND', 'after names no message of this agent.', 'Pass the id of one of your messages, or the cursor of a previous wait.', { field: 'after' });
  }
  return message;
}

/** The matching inbound messages after `position`, oldest first, paging back through the newest-first list. */
async function receivedAfter(ports: CorePorts, agentId: string, input: WaitForMessageInput, position: Position): Promise<MessageRecord[]> {
  const found: MessageRecord[] = [];
  let before: Position | undefined;
  for (;;) {
    const page = await ports.db.messages.list({
      agentId, direction: 'inbound', channel: input.channel, contact: input.contact?.trim(), since: position.createdAt, before, limit: PAGE,
    });
    const newer = page.filter((m) => isAfter(m, position));
    found.push(...newer);
    if (page.length < PAGE || newer.length < page.length) break;
    before = page[page.length - 1];
  }
  return found.reverse().slice(0, input.limit ?? 20);
}

function cancelled(): DomainError {
  return new DomainError('REQUEST_CANCELLED', 'The wait was cancelled by the client.', 'Wait again with the last cursor as after; nothing was missed.');
}

export const waitForMessage = defineUseCase<WaitForMessageInput, WaitForMessageOutput>({
  name: 'comms_wait_for_message',
  title: 'Wait for a message',
  description:
    'Wait until a message arrives for you (optionally from one contact or on one channel), or until timeoutSeconds ' +
    '(default 25). Pass after (the id of the message you sent, or the cursor of a previous wait) to also get ' +
    'what already arrived since; returns at once then. Returns messages oldest first and a cursor for the next wait.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token: the agent whose messages to wait for.' },
      channel: { type: 'string', enum: [...CHANNELS] },
      contact: { type: 'string', minLength: 1, maxLength: 320, description: 'Only messages from this number or address.' },
      after: { type: 'string', minLength: 1, maxLength: 200, description: 'A message id or a previous cursor: only messages after it.' },
      timeoutSeconds: { type: 'number', minimum: 0, maximum: 600, description: 'Default 25; capped by the server (server.mcp.waitMaxSeconds).' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['messages', 'cursor', 'timedOut'],
    properties: {
      messages: { type: 'array', items: messageViewSchema },
      cursor: { type: 'string' },
      timedOut: { type: 'boolean' },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  untrusted: untrustedUnder('messages[]', MESSAGE_UNTRUSTED),
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'messaging',
  rest: { method: 'GET', path: '/messages/wait' },
  async run(ctx, input) {
    const { ports, signal } = ctx;
    const agent = await actingAgent(ctx, input.agentId);
    const position = await startPosition(ports, agent.id, input.after);
    const deadline = Date.now() + Math.min(input.timeoutSeconds ?? DEFAULT_WAIT_SECONDS, ports.settings.waitMaxSeconds) * 1000;
    const bell = new Doorbell();
    // Subscribed before the first look, so a message stored in between rings the bell rather than being missed.
    const stop = ports.agentEvents.subscribe(agent.id, (event) => {
      if (event.kind === 'message.received') bell.ring();
    });
    const answer = (messages: MessageRecord[], timedOut: boolean): WaitForMessageOutput => {
      const last = messages[messages.length - 1];
      return { messages: messages.map(toMessageView), cursor: encodeCursor(last ?? position), timedOut };
    };
    try {
      for (;;) {
        // No database connection is held between looks: only the bell's timer and listener.
        const found = await receivedAfter(ports, agent.id, input, position);
        if (found.length > 0) return answer(found, false);
        if (signal?.aborted) throw cancelled();
        const remaining = deadline - Date.now();
        if (remaining <= 0) return answer([], true);
        await bell.wait(remaining, signal);
        if (signal?.aborted) throw cancelled();
      }
    } finally {
      stop();
    }
  },
});
