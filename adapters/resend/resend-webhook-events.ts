import type { EmailEvent } from '../../ports/email.js';
import { DomainError } from '../../ports/errors.js';
import type { MessageStatus } from '../../ports/records.js';

/**
 * Resend's outbound event types as status events. A complaint comes after delivery, but for an agent it means
 * "this recipient does not want our mail": it is reported as a failure with its own error code. A delay means
 * the mail is still on its way.
 */
const STATUS_BY_EVENT: Readonly<Record<string, { status: MessageStatus; errorCode: string | null }>> = {
  'email.scheduled': { status: 'accepted', errorCode: null },
  'email.sent': { status: 'sent', errorCode: null },
  'email.delivery_delayed': { status: 'sent', errorCode: 'delivery_delayed' },
  'email.delivered': { status: 'delivered', errorCode: null },
  'email.opened': { status: 'read', errorCode: null },
  'email.bounced': { status: 'undelivered', errorCode: 'bounced' },
  'email.suppressed': { status: 'undelivered', errorCode: 'suppressed' },
  'email.complained': { status: 'failed', errorCode: 'complained' },
  'email.failed': { status: 'failed', errorCode: 'failed' },
};

/** A verified webhook body, read only as far as we need it. */
export interface ResendWebhookBody {
  type: string;
  emailId: string | null;
  /** `data.failed.reason` of `email.failed` (e.g. `reached_daily_quota`). */
  failureReason: string | null;
}

function invalid(what: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    `The Resend webhook ${what}.`,
    'Only Resend should call this URL; check the webhook endpoint configured in the Resend dashboard.',
    { provider: 'resend' },
  );
}

export function readResendWebhook(rawBody: string): ResendWebhookBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody) as unknown;
  } catch {
    throw invalid('body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('body is not a JSON object');
  const { type, data } = parsed as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') throw invalid('has no event type');
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const failed = record.failed as { reason?: unknown } | undefined;
  return {
    type,
    emailId: typeof record.email_id === 'string' && record.email_id !== '' ? record.email_id : null,
    failureReason: typeof failed?.reason === 'string' ? failed.reason : null,
  };
}

/** The status event of an outbound-email webhook; null for event types that say nothing about delivery. */
export function statusEventOf(body: ResendWebhookBody): EmailEvent | null {
  const mapped = STATUS_BY_EVENT[body.type];
  if (!mapped) return null;
  if (!body.emailId) throw invalid(`event ${body.type.slice(0, 40)} has no data.email_id`);
  const errorCode = body.type === 'email.failed' ? body.failureReason ?? mapped.errorCode : mapped.errorCode;
  return { kind: 'status', providerMessageId: body.emailId, status: mapped.status, errorCode };
}
