import { randomUUID } from 'node:crypto';
import type { InboundMailInput } from '../../../contracts/email.js';

/** How an Inbound Parse post is authenticated: with the parse URL's credentials, wrong ones, or none. */
export type ParseAuthMode = 'valid' | 'forged' | 'missing';

/** The parse URL's credentials: basic auth written into it, and/or a secret token in its query. */
export interface ParseCredentials {
  username?: string;
  password?: string;
  token?: string;
}

/** Mail from outside to a parse domain; `messageIdHeader` defaults to a new one. */
export type InboundMail = InboundMailInput & { messageIdHeader?: string };

/** An Inbound Parse post: multipart form data, as bytes (attachments are binary) and as text. */
export interface InboundParsePost {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  rawBody: string;
  rawBytes: Uint8Array;
  params: Record<string, string>;
}

/**
 * The default (not "raw") Inbound Parse format: the parsed fields of the mail — from, to, cc, subject, text, html,
 * the raw header block, envelope and attachment-info as JSON, charsets — and each attachment as a file part.
 */
export async function inboundParsePost(url: string, mail: InboundMail, credentials: ParseCredentials, auth: ParseAuthMode): Promise<InboundParsePost> {
  const messageId = mail.messageIdHeader ?? `<${randomUUID()}@mail.example.com>`;
  const attachments = mail.attachments ?? [];
  const form = new FormData();
  const headerBlock = [
    `From: ${mail.from}`, `To: ${mail.to.join(', ')}`, ...(mail.cc?.length ? [`Cc: ${mail.cc.join(', ')}`] : []),
    `Subject: ${mail.subject}`, `Message-ID: ${messageId}`, 'MIME-Version: 1.0',
  ].join('\n');
  const fields: Record<string, string> = {
    headers: headerBlock,
    dkim: '{@example.com : pass}',
    'content-ids': '{}',
    to: mail.to.join(', '),
    ...(mail.cc?.length ? { cc: mail.cc.join(', ') } : {}),
    from: `Sender <${mail.from}>`,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    sender_ip: '192.0.2.10',
    spam_report: 'Spam detection software, running on the system "mx.sendgrid.net", has NOT identified this incoming email as spam.',
    envelope: JSON.stringify({ to: [...mail.to, ...(mail.cc ?? [])], from: mail.from }),
    attachments: String(attachments.length),
    subject: mail.subject,
    spam_score: '0.1',
    'attachment-info': JSON.stringify(Object.fromEntries(attachments.map((a, i) => [`attachment${i + 1}`, { filename: a.filename, name: a.filename, type: a.contentType }]))),
    charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'utf-8', html: 'utf-8' }),
    SPF: 'pass',
  };
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  attachments.forEach((a, i) => form.append(`attachment${i + 1}`, new Blob([a.content], { type: a.contentType }), a.filename));

  // Serialized by the platform's own multipart encoder, as an HTTP client would send it.
  const target = new URL(url);
  const wrong = `wrong-${randomUUID()}`;
  if (credentials.token && auth !== 'missing') target.searchParams.set('token', auth === 'valid' ? credentials.token : wrong);
  const encoded = new Request(target, { method: 'POST', body: form });
  const rawBytes = new Uint8Array(await encoded.arrayBuffer());
  const headers: Record<string, string> = { 'content-type': encoded.headers.get('content-type') ?? '', 'user-agent': 'Sendlib/1.0' };
  if (credentials.username && auth !== 'missing') {
    const password = auth === 'valid' ? credentials.password : wrong;
    headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${password}`).toString('base64')}`;
  }
  return { url: target.toString(), method: 'POST', headers, rawBody: Buffer.from(rawBytes).toString('utf8'), rawBytes, params: {} };
}
