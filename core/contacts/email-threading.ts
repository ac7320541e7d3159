import type { InboundEmail } from '../../ports/email.js';
import type { Repositories } from '../../ports/repositories.js';

/** Replies keep the subject with one "Re: " in front, never "Re: Re: …". */
export function replySubject(original: string): string {
  const subject = original.trim();
  return /^re\s*:/i.test(subject) ? subject : `Re: ${subject}`.trim();
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** RFC 5322 threading fields of an email answering the one with `metadata`: its Message-ID, after its own References. */
export function emailReplyHeaders(metadata: Record<string, unknown>): { inReplyToHeader?: string; references?: string[] } {
  const parent = text(metadata.messageIdHeader);
  if (!parent) return {};
  return { inReplyToHeader: parent, references: [...list(metadata.references), parent] };
}

/** The headers an outbound email carries, from what its stored metadata says (so a retried send says the same). */
export function threadingHeaders(metadata: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  const own = text(metadata.messageIdHeader);
  const parent = text(metadata.inReplyToHeader);
  if (own) headers['Message-ID'] = own;
  if (parent) headers['In-Reply-To'] = parent;
  if (list(metadata.references).length > 0) headers.References = list(metadata.references).join(' ');
  return headers;
}

/**
 * Threading metadata of a received email: its In-Reply-To and References as the sender's client wrote them, and
 * `inReplyTo`, the id of the agent's own message it answers when that header names one.
 */
export async function inboundThreading(db: Pick<Repositories, 'contacts'>, agentId: string, email: InboundEmail): Promise<Record<string, unknown>> {
  const parent = email.inReplyTo ?? null;
  const answered = parent ? await db.contacts.findEmailByMessageId(agentId, parent) : null;
  return {
    ...(parent ? { inReplyToHeader: parent } : {}),
    ...(email.references?.length ? { references: email.references } : {}),
    ...(answered ? { inReplyTo: answered.id } : {}),
  };
}
