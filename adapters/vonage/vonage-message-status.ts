import type { MessageStatus } from '../../ports/records.js';

/** Message statuses of the Messages API v1 status webhook, mapped to ours. */
const VONAGE_TO_MESSAGE_STATUS: Readonly<Record<string, MessageStatus>> = {
  // Vonage handed it to WhatsApp: the nearest of ours is "sent".
  submitted: 'sent',
  delivered: 'delivered',
  read: 'read',
  // Refused before delivery (outside the 24-hour window, invalid template …): never reached the phone.
  rejected: 'failed',
  undelivered: 'undelivered',
};

export function mapVonageStatus(status: string): MessageStatus | null {
  return VONAGE_TO_MESSAGE_STATUS[status] ?? null;
}
