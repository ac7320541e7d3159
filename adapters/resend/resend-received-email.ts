import type { GetReceivingEmailResponseSuccess } from 'resend';
import type { InboundEmail } from '../../ports/email.js';

const NAMED_ADDRESS = /<([^<>]+)>\s*$/;

/** `Name <a@example.com>` → `a@example.com`; a bare address stays as it is. */
export function bareAddress(value: string): string {
  return (NAMED_ADDRESS.exec(value)?.[1] ?? value).trim();
}

/** A mail from Resend's receiving API, in the port's words (bare addresses; attachment metadata only). */
export function toInboundEmail(email: GetReceivingEmailResponseSuccess): InboundEmail {
  return {
    providerMessageId: email.id,
    from: bareAddress(email.from),
    to: email.to.map(bareAddress),
    cc: (email.cc ?? []).map(bareAddress),
    subject: email.subject ?? '',
    text: email.text ?? '',
    html: email.html ?? null,
    messageIdHeader: email.message_id || null,
    inReplyTo: header(email.headers, 'in-reply-to'),
    references: header(email.headers, 'references')?.match(/<[^<>\s]+>/g) ?? [],
    attachments: (email.attachments ?? []).map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.content_type,
      size: a.size,
    })),
  };
}

/** A header of the received mail by name, whatever its case. */
function header(headers: Record<string, string> | null, name: string): string | null {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
  return found?.trim() || null;
}
