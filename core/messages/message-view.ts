import type { MessageRecord } from '../../ports/records.js';
import { CHANNELS, MESSAGE_STATUSES } from '../../ports/records.js';

/** How a message is shown to agents (MCP structured content and REST JSON). */
export interface MessageView {
  id: string;
  agentId: string;
  channel: string;
  direction: string;
  from: string;
  to: string;
  body: string;
  status: string;
  providerMessageId: string | null;
  errorCode: string | null;
  /** Channel extras: email subject, cc, html and attachments; media URLs; template id … */
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export function toMessageView(m: MessageRecord): MessageView {
  return {
    id: m.id,
    agentId: m.agentId,
    channel: m.channel,
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    providerMessageId: m.providerMessageId,
    errorCode: m.errorCode,
    metadata: m.metadata,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

/**
 * Fields of a message view written by whoever sent it (for inbound messages a stranger): the body, an
 * email's subject, HTML and attachment names, a WhatsApp profile name.
 */
export const MESSAGE_UNTRUSTED = ['body', 'metadata.subject', 'metadata.html', 'metadata.attachments[].filename', 'metadata.profileName'] as const;

const nullableString = { type: ['string', 'null'] } as const;

export const messageViewSchema = {
  type: 'object',
  required: ['id', 'agentId', 'channel', 'direction', 'from', 'to', 'body', 'status', 'providerMessageId', 'errorCode', 'metadata', 'createdAt', 'updatedAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    agentId: { type: 'string' },
    channel: { type: 'string', enum: [...CHANNELS] },
    direction: { type: 'string', enum: ['outbound', 'inbound'] },
    from: { type: 'string' },
    to: { type: 'string' },
    body: { type: 'string' },
    status: { type: 'string', enum: [...MESSAGE_STATUSES] },
    providerMessageId: nullableString,
    errorCode: nullableString,
    metadata: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;
