import { WebhookReceiver as SharedWebhookReceiver } from '../shared/webhook-receiver.js';

export type { ReceivedWebhook } from '../shared/webhook-receiver.js';

/** The far end of Resend's webhooks in tests without a real host: records them, answers `{"ok":true}`. */
export class WebhookReceiver extends SharedWebhookReceiver {
  constructor() {
    super({ status: 200, contentType: 'application/json', body: '{"ok":true}' });
  }
}
