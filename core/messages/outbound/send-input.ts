import type { Purpose } from '../../../ports/compliance.js';
import type { Channel } from '../../../ports/records.js';
import { purposeSchema } from '../../compliance/purpose-schema.js';

export interface AttachmentInput {
  filename: string;
  contentType?: string;
  /** The file's bytes, base64-encoded. */
  contentBase64?: string;
  /** Or a file of the sending agent already in storage (under `agents/<agentId>/`, e.g. its generated audio), by its key. */
  storageKey?: string;
}

/** Input of comms_send_message: common fields, then each channel's own. */
export interface SendMessageInput {
  agentId?: string;
  channel: Channel;
  /** E.164 number (sms, whatsapp) or one or more email addresses. */
  to: string | string[];
  idempotencyKey?: string;
  /** `transactional` (default) or `marketing`. */
  purpose?: Purpose;
  /** sms and whatsapp text. */
  body?: string;
  subject?: string;
  text?: string;
  html?: string;
  cc?: string[];
  bcc?: string[];
  replyTo?: string | string[];
  attachments?: AttachmentInput[];
  mediaUrls?: string[];
  templateId?: string;
  templateVars?: Record<string, string>;
}

const emailList = { type: 'array', items: { type: 'string', minLength: 3, maxLength: 320 }, maxItems: 50 } as const;

export const sendMessageInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['channel'],
  properties: {
    agentId: { type: 'string', minLength: 1, description: 'Only with the admin token: the agent to send as.' },
    channel: { type: 'string', enum: ['sms', 'email', 'whatsapp'], description: 'The channel to send on.' },
    to: {
      description: 'sms/whatsapp: one E.164 number (+15550100123). email: an address or a list of addresses. Optional with inReplyTo.',
      anyOf: [{ type: 'string', minLength: 1, maxLength: 320 }, { ...emailList, minItems: 1 }],
    },
    body: { type: 'string', maxLength: 4096, description: 'sms (up to 1600 characters) and whatsapp text.' },
    subject: { type: 'string', maxLength: 998, description: 'email: subject line (required for email).' },
    text: { type: 'string', maxLength: 1_000_000, description: 'email: plain-text body (text and/or html).' },
    html: { type: 'string', maxLength: 2_000_000, description: 'email: HTML body.' },
    cc: { ...emailList, description: 'email: copy recipients.' },
    bcc: { ...emailList, description: 'email: blind-copy recipients.' },
    replyTo: { description: 'email: reply-to address(es).', anyOf: [{ type: 'string', maxLength: 320 }, emailList] },
    attachments: {
      type: 'array',
      maxItems: 10,
      description: 'email: files, each by base64 content or by storage key.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['filename'],
        properties: {
          filename: { type: 'string', minLength: 1, maxLength: 255 },
          contentType: { type: 'string', maxLength: 255 },
          contentBase64: { type: 'string', maxLength: 14_000_000 },
          storageKey: { type: 'string', minLength: 1, maxLength: 1024 },
        },
      },
    },
    mediaUrls: { type: 'array', maxItems: 10, items: { type: 'string', format: 'uri', pattern: '^https?://' }, description: 'whatsapp: media to attach, by public URL.' },
    templateId: { type: 'string', minLength: 1, maxLength: 256, description: 'whatsapp: approved template (Twilio Content SID or the provider\'s template name); needed outside the 24-hour window.' },
    templateVars: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 }, description: 'whatsapp: template variables, e.g. {"1": "Ada"}.' },
    inReplyTo: {
      type: 'string', minLength: 1, maxLength: 64,
      description: 'Id of the message this answers, on any channel: to defaults to that person (their address on this channel); an email reply gets "Re: <subject>" and threading headers.',
    },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 255, description: 'Client-chosen key that makes a retry return the first result instead of sending again.' },
    purpose: purposeSchema('message'),
  },
} as const;
