import type { MessageStatus } from '../../ports/records.js';

/** Twilio's Message status values (API v2010), mapped to ours; a few collapse into the nearest state. */
const TWILIO_TO_MESSAGE_STATUS: Readonly<Record<string, MessageStatus>> = {
  accepted: 'accepted',
  scheduled: 'accepted',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  // Some recipients of a group/RCS message got it, some did not: it left the carrier, nothing more is certain.
  partially_delivered: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'canceled',
  receiving: 'received',
  received: 'received',
};

export function mapTwilioStatus(status: string): MessageStatus | null {
  return TWILIO_TO_MESSAGE_STATUS[status] ?? null;
}
