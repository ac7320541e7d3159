import type { MailDataRequired } from '@sendgrid/mail';
import type { SendEmailRequest } from '../../ports/email.js';
import { DomainError } from '../../ports/errors.js';

/** The custom argument that carries our message id: SendGrid echoes it in every Event Webhook event. */
export const MESSAGE_ID_ARG = 'agentos_message_id';

/**
 * Mail Send v3 data for one request. Recipients go in one personalization (one message, one id); attachments as
 * base64; `categories` tag it for SendGrid's statistics.
 */
export function toSendGridMail(request: SendEmailRequest, categories: readonly string[]): MailDataRequired {
  // SendGrid wants text/plain first, then text/html, and at least one of them.
  const [first, ...rest] = [
    ...(request.text !== undefined ? [{ type: 'text/plain', value: request.text }] : []),
    ...(request.html !== undefined ? [{ type: 'text/html', value: request.html }] : []),
  ];
  if (!first) {
    throw new DomainError('INVALID_INPUT', 'An email needs text or html.', 'Give the mail a text and/or an html body.', { provider: 'sendgrid' });
  }
  return {
    from: request.from,
    personalizations: [{
      to: request.to,
      ...(request.cc?.length ? { cc: request.cc } : {}),
      ...(request.bcc?.length ? { bcc: request.bcc } : {}),
    }],
    ...(request.replyTo?.length ? { replyToList: request.replyTo.map((email) => ({ email })) } : {}),
    subject: request.subject,
    content: [first, ...rest],
    ...(request.attachments?.length
      ? {
        attachments: request.attachments.map((a) => ({
          filename: a.filename,
          content: Buffer.from(a.content).toString('base64'),
          disposition: 'attachment',
          ...(a.contentType ? { type: a.contentType } : {}),
        })),
      }
      : {}),
    ...(request.headers && Object.keys(request.headers).length > 0 ? { headers: request.headers } : {}),
    ...(categories.length > 0 ? { categories: [...categories] } : {}),
    customArgs: { [MESSAGE_ID_ARG]: request.reference },
  } as MailDataRequired;
}
