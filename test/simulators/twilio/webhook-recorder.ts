import { WebhookReceiver, type ReceivedWebhook } from '../shared/webhook-receiver.js';

export type RecordedWebhook = ReceivedWebhook;

/** The far end of Twilio's callbacks in tests without a real host: records them, answers empty TwiML. */
export class WebhookRecorder extends WebhookReceiver {
  constructor() {
    super({ status: 200, contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
  }
}
