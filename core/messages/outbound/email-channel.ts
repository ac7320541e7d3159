import { ownChannel } from '../../auth/authenticate.js';
import { DomainError } from '../../../ports/errors.js';
import type { EmailAttachment } from '../../../ports/email.js';
import { requirePort, type UseCaseContext } from '../../context.js';
import { readAgentFile } from '../../agent-files.js';
import { requireEmailAddresses } from '../../email-address.js';
import { marketingEmail } from '../../compliance/marketing-email.js';
import { invalidField, notConfigured, refuseForeignFields } from './channel-errors.js';
import type { OutboundChannel } from './outbound-channel.js';
import type { AttachmentInput } from './send-input.js';
import { threadingHeaders } from '../../contacts/email-threading.js';

const MAX_RECIPIENTS = 50;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function decodeBase64(value: string, field: string): Uint8Array {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(value)) throw invalidField(field, `${field} is not valid base64.`, 'Encode the file\'s bytes as base64.');
  const binary = atob(value.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function loadAttachment(ctx: UseCaseContext, agentId: string, a: AttachmentInput, index: number): Promise<EmailAttachment> {
  const field = `attachments.${index}`;
  if ((a.contentBase64 === undefined) === (a.storageKey === undefined)) {
    throw invalidField(field, `${field} needs exactly one of contentBase64 and storageKey.`, 'Give the file by content or by storage key.');
  }
  if (a.contentBase64 !== undefined) {
    return { filename: a.filename, contentType: a.contentType, content: decodeBase64(a.contentBase64, `${field}.contentBase64`) };
  }
  requirePort(ctx.ports, 'storage');
  // A key of another agent's file answers exactly as an unknown key: whether it exists is not told.
  const stored = await readAgentFile(ctx.ports, agentId, a.storageKey!);
  if (!stored) {
    throw new DomainError('NOT_FOUND', `${field}.storageKey names no stored file of this agent.`,
      `Check the key; an agent's files are under agents/${agentId}/.`, { field });
  }
  return { filename: a.filename, contentType: a.contentType ?? stored.contentType, content: stored.bytes };
}

export const emailChannel: OutboundChannel = {
  async prepare(ctx, agent, input) {
    refuseForeignFields(input, 'email', ['subject', 'text', 'html', 'cc', 'bcc', 'replyTo', 'attachments']);
    const to = requireEmailAddresses(list(input.to), 'to');
    const cc = requireEmailAddresses(input.cc ?? [], 'cc');
    const bcc = requireEmailAddresses(input.bcc ?? [], 'bcc');
    const replyTo = requireEmailAddresses(list(input.replyTo), 'replyTo');
    if (to.length === 0) throw invalidField('to', 'to needs at least one address.', 'Add a recipient.');
    if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) throw invalidField('to', `At most ${MAX_RECIPIENTS} recipients in all.`, 'Split the send.');
    const subject = input.subject?.trim() ?? '';
    if (subject === '') throw invalidField('subject', 'subject is required for email.', 'Write a subject line.');
    if (/[\r\n]/.test(subject)) throw invalidField('subject', 'subject must be one line.', 'Remove line breaks from the subject.');
    if (!input.text?.trim() && !input.html?.trim()) throw invalidField('text', 'An email needs text or html.', 'Write the body in text and/or html.');
    const email = requirePort(ctx.ports, 'email');
    const own = await ownChannel(ctx, agent.id, 'email');
    if (!own) throw notConfigured('email', `Agent ${agent.id} has no email address.`, 'Give the agent an address first (agentos-comms agent create --email …).');
    const files = await Promise.all((input.attachments ?? []).map((a, i) => loadAttachment(ctx, agent.id, a, i)));
    const size = files.reduce((sum, f) => sum + f.content.length, 0);
    if (size > MAX_ATTACHMENT_BYTES) throw invalidField('attachments', 'Attachments exceed 10 MB in all.', 'Send smaller files, or links to them.');
    const described = files.map((f) => ({ filename: f.filename, contentType: f.contentType ?? null, size: f.content.length }));
    const marketing = input.purpose === 'marketing' ? marketingEmail(ctx, agent, { to, cc, bcc, text: input.text, html: input.html }) : null;
    const text = marketing ? marketing.text : input.text;
    const html = marketing ? marketing.html : input.html;
    return {
      from: own.address,
      to: to.join(', '),
      body: text ?? html ?? '',
      metadata: { subject, cc, bcc, replyTo, ...(html ? { html } : {}), attachments: described, ...(marketing ? { purpose: 'marketing' } : {}) },
      provider: email.id,
      fingerprint: ['email', to, cc, bcc, replyTo, subject, input.text ?? null, input.html ?? null, described],
      content: [subject, input.text ?? '', input.html ?? ''].join('\n'),
      extras: { text, html, attachments: files, headers: marketing?.headers },
    };
  },

  // Billed per recipient, the way email providers count.
  meter(prepared) {
    const meta = prepared.metadata as { cc: string[]; bcc: string[] };
    const contacts = [...prepared.to.split(', '), ...meta.cc, ...meta.bcc].map((a) => a.toLowerCase());
    return { units: contacts.length, unit: 'email', contacts };
  },

  send(ctx, message, prepared) {
    const extras = prepared.extras as { text?: string; html?: string; attachments: EmailAttachment[]; headers?: Record<string, string> };
    const meta = message.metadata as { subject: string; cc: string[]; bcc: string[]; replyTo: string[] };
    return requirePort(ctx.ports, 'email').port.send({
      from: message.from,
      to: message.to.split(', '),
      cc: meta.cc,
      bcc: meta.bcc,
      replyTo: meta.replyTo,
      subject: meta.subject,
      text: extras.text,
      html: extras.html,
      attachments: extras.attachments,
      headers: { ...extras.headers, ...threadingHeaders(message.metadata) },
      idempotencyKey: message.idempotencyKey ? `${message.agentId}:${message.idempotencyKey}` : undefined,
      reference: message.id,
      requestId: ctx.requestId,
    });
  },
};
