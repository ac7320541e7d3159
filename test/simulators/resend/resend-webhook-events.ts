import type { SimulatedEmail, SimulatedInboundEmail } from './simulated-emails.js';

/** Outbound event types the simulator can report for a sent email. */
export type OutboundEventType =
  | 'email.sent' | 'email.delivered' | 'email.delivery_delayed' | 'email.bounced' | 'email.complained'
  | 'email.failed' | 'email.opened';

export interface ResendEvent {
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

/** The payload of an outbound event (`OutboundEmailEventData`, plus `bounce`/`failed` where the spec adds them). */
export function outboundEvent(type: OutboundEventType, email: SimulatedEmail, now: Date): ResendEvent {
  const data: Record<string, unknown> = {
    email_id: email.id,
    created_at: email.createdAt.toISOString(),
    from: email.from,
    to: email.to,
    subject: email.subject,
  };
  const headerList = Object.entries(email.headers).map(([name, value]) => ({ name, value }));
  if (headerList.length > 0) data.headers = headerList;
  if (email.tags.length > 0) data.tags = Object.fromEntries(email.tags.map((t) => [t.name, t.value]));
  if (type === 'email.bounced') {
    data.bounce = {
      diagnosticCode: email.to.map(() => 'smtp; 550 5.1.1 user unknown'),
      message: "The recipient's email provider sent a hard bounce message.",
      subType: 'General',
      type: 'Permanent',
    };
  }
  if (type === 'email.failed') data.failed = { reason: 'reached_daily_quota' };
  return { type, created_at: now.toISOString(), data };
}

/** `email.received` (`EmailReceivedEvent`): metadata only; the body is fetched from the receiving API. */
export function receivedEvent(email: SimulatedInboundEmail, now: Date): ResendEvent {
  return {
    type: 'email.received',
    created_at: now.toISOString(),
    data: {
      email_id: email.id,
      created_at: email.createdAt.toISOString(),
      from: email.from,
      to: email.to,
      bcc: email.bcc,
      cc: email.cc,
      message_id: email.messageId,
      subject: email.subject,
      attachments: email.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        content_type: a.contentType,
        content_disposition: a.disposition,
        ...(a.contentId ? { content_id: a.contentId } : {}),
      })),
    },
  };
}
