import { createHash, timingSafeEqual } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import type { InboundEmail } from '../../ports/email.js';
import { DomainError } from '../../ports/errors.js';
import type { WebhookRequest } from '../../ports/webhook.js';

export interface InboundParseAuth {
  basicAuth: { username: string; password: string } | null;
  token: string | null;
}

/** Constant-time equality of two secrets of any length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function basicCredentials(authorization: string | undefined): { username: string; password: string } | null {
  const encoded = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * SendGrid does not sign Inbound Parse posts; the parse URL authenticates them: basic auth written into it, and/or a
 * secret `token` in its query. Every configured one must match; with none configured, nothing is accepted.
 */
export function isAuthenticatedInboundParse(request: WebhookRequest, auth: InboundParseAuth): boolean {
  if (!auth.basicAuth && !auth.token) return false;
  if (auth.basicAuth) {
    const given = basicCredentials(request.headers.authorization);
    if (!given || !(sameSecret(given.username, auth.basicAuth.username) && sameSecret(given.password, auth.basicAuth.password))) return false;
  }
  if (auth.token) {
    if (!URL.canParse(request.url)) return false;
    const token = new URL(request.url).searchParams.get('token');
    if (token === null || !sameSecret(token, auth.token)) return false;
  }
  return true;
}

/** True for an Inbound Parse post: multipart form data. */
export function isInboundParse(request: WebhookRequest): boolean {
  return /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '');
}

function invalid(what: string): DomainError {
  return new DomainError(
    'INVALID_INPUT', `The SendGrid Inbound Parse post ${what}.`,
    'Only SendGrid should call this URL; check the Inbound Parse settings (the default format, not "POST the raw, full MIME message").', { provider: 'sendgrid' },
  );
}

function addresses(value: string | null): string[] {
  return value ? addressparser(value, { flatten: true }).map((a) => a.address.toLowerCase()).filter(Boolean) : [];
}

/** One header among the raw headers SendGrid passes along (unfolded: continuation lines start with white space). */
function rawHeader(headers: string | null, name: string): string | null {
  const unfolded = (headers ?? '').replace(/\r?\n[ \t]+/g, ' ');
  const match = new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(unfolded);
  return match?.[1]?.trim() ?? null;
}

/** The Message-IDs of a References header, in order. */
function messageIds(value: string | null): string[] {
  return value?.match(/<[^<>\s]+>/g) ?? [];
}

/**
 * A parsed Inbound Parse post (multipart form: from, to, cc, subject, text, html, headers, attachment-info and the
 * files attachment1…N). SendGrid gives no id of its own: the mail's Message-ID names it, or else the hash of the post,
 * so that a redelivery is stored once.
 */
export async function parseInboundParse(request: WebhookRequest): Promise<InboundEmail> {
  const bytes = request.rawBytes ?? Buffer.from(request.rawBody, 'utf8');
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': request.headers['content-type'] ?? '' } }).formData();
  } catch {
    throw invalid('is not multipart form data');
  }
  const field = (name: string): string | null => {
    const value = form.get(name);
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const from = addresses(field('from'))[0];
  const to = addresses(field('to'));
  if (!from) throw invalid('has no from');
  if (to.length === 0) throw invalid('has no to');
  const headerId = rawHeader(field('headers'), 'message-id');
  type Upload = Exclude<ReturnType<FormData['get']>, string | null>;
  const files = [...form.entries()]
    .filter((entry): entry is [string, Upload] => /^attachment\d+$/.test(entry[0]) && typeof entry[1] !== 'string')
    .sort(([a], [b]) => Number(a.slice('attachment'.length)) - Number(b.slice('attachment'.length)));
  return {
    providerMessageId: headerId ?? createHash('sha256').update(bytes).digest('hex').slice(0, 40),
    from,
    to,
    cc: addresses(field('cc')),
    subject: field('subject') ?? '',
    text: field('text') ?? '',
    html: field('html'),
    messageIdHeader: headerId,
    inReplyTo: messageIds(rawHeader(field('headers'), 'in-reply-to'))[0] ?? null,
    references: messageIds(rawHeader(field('headers'), 'references')),
    attachments: files.map(([, file]) => ({ filename: file.name, contentType: file.type || 'application/octet-stream', size: file.size })),
  };
}
