import type { AddressObject, ParsedMail } from 'mailparser';
import type { InboundEmail } from '../../ports/email.js';

/** Every address of a parsed header, groups flattened, in order. */
export function addressesOf(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const found: string[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.address) found.push(entry.address);
      if (entry.group) visit(entry.group);
    }
  };
  for (const object of objects) visit(object.value);
  return found;
}

/**
 * A received mail in the port's words. `to` is the To header, followed by the envelope recipients that are in
 * neither To nor Cc (mail Bcc'd to one of our mailboxes must still reach it); `from` is the From header, or the
 * envelope sender when the header has no address.
 */
export function inboundEmailFromMime(
  parsed: ParsedMail,
  envelope: { mailFrom: string | null; rcptTo: string[] },
  providerMessageId: string,
): InboundEmail {
  const to = addressesOf(parsed.to);
  const cc = addressesOf(parsed.cc);
  const listed = new Set([...to, ...cc].map((a) => a.toLowerCase()));
  const bccToUs = envelope.rcptTo.filter((address) => !listed.has(address.toLowerCase()));
  return {
    providerMessageId,
    from: addressesOf(parsed.from)[0] ?? envelope.mailFrom ?? '',
    to: [...to, ...bccToUs],
    cc,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    messageIdHeader: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    references: parsed.references === undefined ? [] : [parsed.references].flat(),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      size: a.size,
    })),
  };
}
