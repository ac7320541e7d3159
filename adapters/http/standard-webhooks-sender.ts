import { Webhook } from 'standardwebhooks';
import type { CallbackSender, SignedCallback } from '../../ports/callbacks.js';

/**
 * POSTs JSON signed as the Standard Webhooks spec says (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256>`), so agents can verify with any Standard Webhooks library.
 */
export class StandardWebhooksSender implements CallbackSender {
  async post(callback: SignedCallback, timeoutMs: number): Promise<{ status: number }> {
    const signature = new Webhook(callback.secret).sign(callback.id, new Date(callback.timestamp * 1000), callback.body);
    const response = await fetch(callback.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'agentos-comms',
        'webhook-id': callback.id,
        'webhook-timestamp': String(callback.timestamp),
        'webhook-signature': signature,
      },
      body: callback.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return { status: response.status };
  }
}
