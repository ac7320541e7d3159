import { setTimeout as sleep } from 'node:timers/promises';
import { statusCallbackForm } from './inbound-sms-form.js';
import type { SimulatedAccount } from './simulated-account.js';
import type { SimulatedMessage } from './twilio-message-resource.js';
import { postWebhook, signTwilioWebhook } from './twilio-webhook-signing.js';
import { OUTSIDE_WINDOW_CODE, OUTSIDE_WINDOW_MESSAGE } from './whatsapp-errors.js';
import { isWhatsAppWindowOpen, whatsAppState, type ContentTemplate, type SimulatorHandle } from './whatsapp-window.js';

export type MessageChannel = 'sms' | 'whatsapp';

const WHATSAPP_PREFIX = 'whatsapp:';
/** Pause before the failure is reported: the creating request is answered first, as on Twilio. */
const FAILURE_DELAY_MS = 10;
const WEBHOOK_TIMEOUT_MS = 5000;

/** `sms` for a bare number, `whatsapp` for `whatsapp:+…`; null for channels the simulator does not play (rcs:, messenger: …). */
export function channelOf(address: string): MessageChannel | null {
  if (!address.includes(':')) return 'sms';
  return address.startsWith(WHATSAPP_PREFIX) ? 'whatsapp' : null;
}

export function onChannel(channel: MessageChannel, number: string): string {
  return channel === 'whatsapp' ? `${WHATSAPP_PREFIX}${number}` : number;
}

/**
 * The WhatsApp side of accepted messages. Twilio does not refuse a free-form message outside the 24-hour window
 * on the API call: it answers 201 `queued`, then the message turns `failed` with ErrorCode 63016, reported to its
 * StatusCallback. The simulator does the same, so an adapter cannot learn of the closed window synchronously.
 */
export class SimulatedWhatsApp {
  constructor(
    private readonly account: SimulatedAccount,
    private readonly now: () => Date,
    private readonly sim: SimulatorHandle,
  ) {}

  /**
   * Keeps the template of an accepted message; for a WhatsApp free-form message outside the window, schedules its
   * 63016 failure and answers true: the message then takes no other path (no delivery, no other status callback).
   */
  accept(message: SimulatedMessage, channel: MessageChannel, template: ContentTemplate | null): boolean {
    const state = whatsAppState(this.sim);
    if (template) state.templates.set(message.sid, template);
    if (channel !== 'whatsapp' || template || isWhatsAppWindowOpen(this.sim, message.to, message.from, this.now())) return false;
    state.outsideWindow.add(message.sid);
    const work = this.failOutsideWindow(message, state.generation);
    state.pending.add(work);
    void work.finally(() => state.pending.delete(work));
    return true;
  }

  private async failOutsideWindow(message: SimulatedMessage, generation: number): Promise<void> {
    await sleep(FAILURE_DELAY_MS);
    if (generation !== whatsAppState(this.sim).generation) return;
    message.status = 'failed';
    message.errorCode = OUTSIDE_WINDOW_CODE;
    message.errorMessage = OUTSIDE_WINDOW_MESSAGE;
    message.dateUpdated = this.now();
    if (!message.statusCallback) return;
    const params = statusCallbackForm({
      messageSid: message.sid,
      accountSid: this.account.accountSid,
      from: message.from,
      to: message.to,
      status: 'failed',
      errorCode: OUTSIDE_WINDOW_CODE,
      messagingServiceSid: message.messagingServiceSid,
    });
    try {
      await postWebhook(signTwilioWebhook(this.account.authToken, message.statusCallback, params), WEBHOOK_TIMEOUT_MS);
    } catch {
      // A receiver that does not answer loses the report, as with Twilio; the message resource still says failed.
    }
  }
}
