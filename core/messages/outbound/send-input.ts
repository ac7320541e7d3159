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
    channel: { type: 'string', enum: ['sms', 'email', 'whatsapp'] },
    to: {
      description: 'sms, whatsapp: an E.164 number (+15550100123). email: one or more addresses. Optional with inReplyTo.',
      anyOf: [{ type: 'string', minLength: 1, maxLength: 320 }, { ...emailList, minItems: 1 }],
    },
    body: { type: 'string', maxLength: 4096, description: 'sms, whatsapp text.' },
    subject: { type: 'string', maxLength: 998, description: 'email (required).' },
    text: { type: 'string', maxLength: 1_000_000, description: 'email plain text.' },
    html: { type: 'string', maxLength: 2_000_000, description: 'email HTML.' },
    cc: { ...emailList, description: 'email.' },
    bcc: { ...emailList, description: 'email.' },
    replyTo: { description: 'email.', anyOf: [{ type: 'string', maxLength: 320 }, emailList] },
    attachments: {
      type: 'array',
      maxItems: 10,
      description: 'email files: contentBase64, or storageKey of a file of this agent in storage.',
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
    mediaUrls: { type: 'array', maxItems: 10, items: { type: 'string', format: 'uri', pattern: '^https?://' }, description: 'whatsapp media (public URLs).' },
    templateId: { type: 'string', minLength: 1, maxLength: 256, description: 'whatsapp approved template: Twilio Content SID or template name.' },
    templateVars: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 }, description: 'whatsapp, e.g. {"1": "Ada"}.' },
    inReplyTo: { type: 'string', minLength: 1, maxLength: 64, description: 'Id of the message this answers (any channel): to defaults to that person; email gets Re: and threading headers.' },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 255, description: 'Makes a retry safe: the same key sends once.' },
    purpose: purposeSchema,
  },
} as const;
