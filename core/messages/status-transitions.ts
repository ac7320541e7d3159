import type { MessageStatus } from '../../ports/records.js';

/** The forward path of a message. A provider callback never moves a message back along it. */
const PROGRESS: readonly MessageStatus[] = ['pending', 'accepted', 'queued', 'sending', 'sent', 'delivered', 'read'];
const FAILURES: readonly MessageStatus[] = ['undelivered', 'failed', 'canceled'];

/**
 * The statuses a message may be in for `next` to be applied. Callbacks arrive out of order and more than
 * once; applying only forward moves makes them idempotent and order-insensitive.
 */
export function predecessorsOf(next: MessageStatus): readonly MessageStatus[] {
  if (FAILURES.includes(next)) return PROGRESS.slice(0, PROGRESS.indexOf('delivered'));
  const index = PROGRESS.indexOf(next);
  return index > 0 ? PROGRESS.slice(0, index) : [];
}

/** A status that ends a message without reaching the recipient. */
export function isFailure(status: MessageStatus): boolean {
  return FAILURES.includes(status);
}
