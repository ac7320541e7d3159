import type { WebhookKind, WebhookRequest } from '../ports/webhook.js';

/**
 * True when a genuine signed webhook fits one of the kinds its adapter declares (media type, signature header,
 * size): the HTTP host refuses, unread, whatever fits none, so a kind too narrow would refuse the provider itself.
 */
export function fitsDeclaredKinds(kinds: readonly WebhookKind[] | undefined, request: WebhookRequest): boolean {
  if (!kinds) return true;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const size = Buffer.byteLength(request.rawBytes ?? request.rawBody);
  return kinds.some((kind) => kind.contentType === type && size <= kind.maxBodyBytes
    && (kind.signatureHeaders.length === 0 || kind.signatureHeaders.some((name) => Boolean(request.headers[name]))));
}
