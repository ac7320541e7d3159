import type { NamedAdapter, WebhookRequest } from '../ports/webhook.js';
import type { Provided } from './context.js';
import { invalidSignature } from './messages/inbound/store-inbound.js';

interface SignedWebhooks<P> {
  verifyWebhook(request: WebhookRequest): boolean;
  signedBy?(request: WebhookRequest): NamedAdapter<P> | null;
}

/**
 * The first step of every provider webhook, before anything is read or looked up: the adapter whose signature the
 * request carries — the configured adapter, or the member of a failover list that signed it, which then parses
 * and answers it — or INVALID_SIGNATURE.
 */
export function signerOf<P extends SignedWebhooks<P>>(adapter: Provided<P>, request: WebhookRequest): Provided<P> {
  const signer = adapter.port.signedBy ? adapter.port.signedBy(request) : adapter.port.verifyWebhook(request) ? adapter : null;
  if (!signer) throw invalidSignature();
  return signer;
}
