import { DomainError } from '../../../ports/errors.js';
import type { Channel } from '../../../ports/records.js';

export function notConfigured(channel: Channel, what: string, nextStep: string): DomainError {
  return new DomainError('CHANNEL_NOT_CONFIGURED', what, nextStep, { channel });
}

export function invalidField(field: string, message: string, nextStep: string): DomainError {
  return new DomainError('INVALID_INPUT', message, nextStep, { field });
}

/** A field that belongs to other channels, so the caller learns at once that it was ignored. */
export function refuseForeignFields(input: object, channel: Channel, allowed: readonly string[]): void {
  const common = ['agentId', 'channel', 'to', 'idempotencyKey', 'purpose'];
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined && !common.includes(key) && !allowed.includes(key)) {
      throw invalidField(key, `${key} does not apply to channel ${channel}.`, `Remove ${key}, or send on the channel it belongs to.`);
    }
  }
}

export function singleRecipient(to: string | string[]): string {
  if (Array.isArray(to)) {
    if (to.length !== 1) throw invalidField('to', 'This channel takes exactly one recipient.', 'Send one message per recipient.');
    return to[0]!.trim();
  }
  return to.trim();
}
