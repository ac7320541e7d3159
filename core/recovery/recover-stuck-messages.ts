import { isDomainError, isRetryableCode } from '../../ports/errors.js';
import type { MessageRecord } from '../../ports/records.js';
import type { SendSmsResult } from '../../ports/telephony.js';
import type { CorePorts } from '../context.js';
import { settleAbandonedMessage } from '../usage/settle-usage.js';

/** Twilio and our clock may disagree a little: a lookup reaches this far before the message was stored. */
const CLOCK_SKEW_MS = 60_000;
/** How long a provider keeps an email idempotency key (Resend: 24 hours): within it, a resend is safe. */
const EMAIL_KEY_LIFETIME_MS = 24 * 3_600_000;

/** What became of a send whose process died before it recorded the provider's answer. */
export type StuckOutcome =
  | { kind: 'accepted'; result: SendSmsResult }
  | { kind: 'never-sent' }
  | { kind: 'resend-safe' }
  | { kind: 'maybe-sent' }
  /** The lookup failed for now (provider unreachable): try again on the next run. */
  | { kind: 'unknown' };

/**
 * Settles one outbound message left `pending` (its process died between storing it and recording the
 * provider's answer): reconciled with the provider where it can look the message up, else marked so that an
 * idempotent retry answers without sending again — or, where the provider's own idempotency key makes a resend
 * safe, so that a retry sends it. Its usage reservation is charged or given back to match.
 */
export async function recoverStuckMessage(ports: CorePorts, message: MessageRecord): Promise<StuckOutcome['kind']> {
  const outcome = await lookUp(ports, message);
  const now = ports.clock.now();
  let applied = false;
  switch (outcome.kind) {
    case 'unknown':
      return outcome.kind;
    case 'accepted':
      applied = await ports.db.messages.changeStatus(message.id, {
        status: outcome.result.status, providerMessageId: outcome.result.providerMessageId, errorCode: null, errorMessage: null, updatedAt: now,
      }, ['pending']);
      break;
    case 'never-sent':
      applied = await fail(ports, message, 'PROVIDER_UNAVAILABLE', 'The server stopped before the provider accepted this message: it was not sent.');
      break;
    case 'resend-safe':
      applied = await fail(ports, message, 'PROVIDER_UNAVAILABLE',
        'The server stopped while sending this message; the provider\'s idempotency key makes sending it again with the same idempotencyKey safe.');
      break;
    case 'maybe-sent':
      applied = await fail(ports, message, 'PROVIDER_TIMEOUT', 'The server stopped while sending this message: it may have been sent.');
      break;
  }
  // Another process settled it first (or its sender came back): that one settles its usage too.
  if (applied) await settleAbandonedMessage(ports, message.id, outcome.kind === 'accepted' || outcome.kind === 'maybe-sent');
  return outcome.kind;
}

function fail(ports: CorePorts, message: MessageRecord, code: 'PROVIDER_UNAVAILABLE' | 'PROVIDER_TIMEOUT', text: string): Promise<boolean> {
  return ports.db.messages.changeStatus(message.id, { status: 'failed', errorCode: code, errorMessage: text, updatedAt: ports.clock.now() }, ['pending']);
}

async function lookUp(ports: CorePorts, message: MessageRecord): Promise<StuckOutcome> {
  const telephony = ports.telephony;
  if (message.channel === 'sms' && telephony?.id === message.provider && telephony.port.findSentSms) {
    try {
      const candidates = await telephony.port.findSentSms({
        from: message.from, to: message.to, body: message.body, sentAfter: new Date(message.createdAt.getTime() - CLOCK_SKEW_MS),
      });
      // Identical texts to one number: each provider message settles at most one of ours, oldest first.
      for (const result of candidates) {
        if (!(await ports.db.messages.findByProviderId(message.agentId, 'sms', result.providerMessageId))) return { kind: 'accepted', result };
      }
      return { kind: 'never-sent' };
    } catch (err) {
      const code = isDomainError(err) ? err.code : 'INTERNAL';
      ports.logger.warn({ messageId: message.id, code }, 'stuck message: provider lookup failed');
      return isRetryableCode(code) || code === 'PROVIDER_TIMEOUT' ? { kind: 'unknown' } : { kind: 'maybe-sent' };
    }
  }
  const email = ports.email;
  const keyStillKept = ports.clock.now().getTime() - message.createdAt.getTime() < EMAIL_KEY_LIFETIME_MS;
  if (message.channel === 'email' && email?.id === message.provider && email.port.capabilities.idempotencyKeys && message.idempotencyKey && keyStillKept) {
    return { kind: 'resend-safe' };
  }
  return { kind: 'maybe-sent' };
}
