import { isAcceptedAddress } from './email-address-syntax.js';
import { resendErrors, type ApiAnswer } from './resend-error-body.js';
import type { SpecViolation } from './resend-openapi-spec.js';

const ADDRESS_FIELDS = ['from', 'to', 'cc', 'bcc', 'reply_to'] as const;
const MAX_RECIPIENTS = 50;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A `POST /emails` body as Resend reads it, once it passed the schema. */
export interface SendEmailBody {
  from: string;
  to: string | string[];
  subject: string;
  cc?: string | string[];
  bcc?: string | string[];
  reply_to?: string | string[];
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  attachments?: Array<{ content?: string; filename?: string; path?: string; content_type?: string; content_id?: string }>;
  tags?: Array<{ name: string; value: string }>;
  scheduled_at?: string;
  template?: { id: string; variables?: Record<string, string | number> };
  topic_id?: string;
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The answer Resend gives for the first spec violation, worded as Resend words it. */
export function answerForSpecViolation(violation: SpecViolation): ApiAnswer {
  const field = violation.parameter.split('/').filter(Boolean)[0] ?? 'body';
  if (violation.problem === 'required field is missing' && !violation.parameter.slice(1).includes('/')) return resendErrors.missingField(field);
  if (violation.problem === 'not a declared field of this operation') return resendErrors.unknownFields([violation.parameter.slice(1).replaceAll('/', '.')]);
  return resendErrors.invalidField(field, `The value ${violation.problem}.`);
}

/** Resend's own rules beyond the schema: address syntax, a body to send, attachment content, recipient count. */
export function businessRuleError(body: SendEmailBody): ApiAnswer | null {
  for (const field of ADDRESS_FIELDS) {
    const values = field === 'from' ? [body.from] : asList(body[field]);
    if (values.some((value) => !isAcceptedAddress(value))) return resendErrors.invalidAddress(field);
  }
  if (asList(body.to).length > MAX_RECIPIENTS) return resendErrors.invalidField('to', `The maximum is ${MAX_RECIPIENTS} recipients.`);
  if (body.template === undefined && body.html === undefined && body.text === undefined) return resendErrors.missingBody();
  for (const attachment of body.attachments ?? []) {
    if (attachment.content === undefined && attachment.path === undefined) return resendErrors.invalidAttachment();
    if (attachment.content !== undefined && !BASE64.test(attachment.content.replace(/\s+/g, ''))) {
      return resendErrors.invalidAttachment('Attachment `content` must be a base64 string.');
    }
  }
  return null;
}
