/** What the simulator stores about mail, and how Resend's API renders it. */

export interface SimulatedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Outbound `last_event` values Resend reports on `GET /emails/{id}`. */
export type OutboundEventName =
  | 'queued' | 'sent' | 'delivered' | 'delivery_delayed' | 'bounced' | 'complained' | 'failed' | 'suppressed' | 'opened' | 'clicked';

/** An email accepted by `POST /emails`. */
export interface SimulatedEmail {
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  /** The caller's custom headers, as sent. */
  headers: Record<string, string>;
  attachments: SimulatedAttachment[];
  tags: Array<{ name: string; value: string }>;
  idempotencyKey: string | null;
  /** The RFC 5322 Message-ID Resend gave the mail. */
  messageId: string;
  createdAt: Date;
  lastEvent: OutboundEventName;
}

export interface SimulatedInboundAttachment extends SimulatedAttachment {
  id: string;
  contentId: string | null;
  disposition: 'attachment' | 'inline';
}

/** A mail received on a Resend receiving domain, served by `GET /emails/receiving/{id}`. */
export interface SimulatedInboundEmail {
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  messageId: string;
  attachments: SimulatedInboundAttachment[];
  createdAt: Date;
}

const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain', html: 'text/html', csv: 'text/csv', pdf: 'application/pdf', json: 'application/json',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', zip: 'application/zip', ics: 'text/calendar',
};

/** Resend derives a missing `content_type` from the filename. */
export function contentTypeFor(filename: string): string {
  const extension = filename.includes('.') ? filename.split('.').pop()?.toLowerCase() ?? '' : '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/** Resend's `created_at` of sent email: Postgres text form, `2023-04-03 22:13:42.674981+00`. */
export function postgresTimestamp(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000+00`;
}

/** `GET /emails/{email_id}` (schema `Email`). */
export function emailResource(email: SimulatedEmail): Record<string, unknown> {
  return {
    object: 'email',
    id: email.id,
    to: email.to,
    from: email.from,
    created_at: postgresTimestamp(email.createdAt),
    subject: email.subject,
    html: email.html,
    text: email.text,
    bcc: email.bcc,
    cc: email.cc,
    reply_to: email.replyTo,
    last_event: email.lastEvent,
    scheduled_at: null,
    tags: email.tags,
  };
}

/** `GET /emails/receiving/{email_id}` (schema `GetReceivedEmailResponse`). */
export function receivedEmailResource(email: SimulatedInboundEmail): Record<string, unknown> {
  return {
    object: 'email',
    id: email.id,
    to: email.to,
    from: email.from,
    created_at: email.createdAt.toISOString(),
    subject: email.subject,
    message_id: email.messageId,
    bcc: email.bcc,
    cc: email.cc,
    reply_to: email.replyTo,
    html: email.html,
    text: email.text,
    headers: email.headers,
    attachments: email.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      content_type: a.contentType,
      content_id: a.contentId,
      content_disposition: a.disposition,
      size: a.content.byteLength,
    })),
  };
}
