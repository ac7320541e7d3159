import type { CreateEmailOptions } from 'resend';
import { DomainError } from '../../ports/errors.js';
import type { SendEmailRequest } from '../../ports/email.js';

/** Our request in the SDK's words; attachments go as base64 so that no byte is re-encoded on the way. */
export function toResendPayload(request: SendEmailRequest): CreateEmailOptions {
  const base = {
    from: request.from,
    to: request.to,
    subject: request.subject,
    ...(request.cc?.length ? { cc: request.cc } : {}),
    ...(request.bcc?.length ? { bcc: request.bcc } : {}),
    ...(request.replyTo?.length ? { replyTo: request.replyTo } : {}),
    ...(request.headers && Object.keys(request.headers).length > 0 ? { headers: request.headers } : {}),
    ...(request.attachments?.length
      ? {
        attachments: request.attachments.map((a) => ({
          filename: a.filename,
          content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength).toString('base64'),
          ...(a.contentType ? { contentType: a.contentType } : {}),
        })),
      }
      : {}),
  };
  if (request.html !== undefined) return { ...base, html: request.html, ...(request.text !== undefined ? { text: request.text } : {}) };
  if (request.text !== undefined) return { ...base, text: request.text };
  throw new DomainError(
    'INVALID_INPUT',
    'An email needs a text or an html body.',
    'Give the email a text body, an html body, or both.',
    { provider: 'resend' },
  );
}
