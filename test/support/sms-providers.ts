import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';

/** What the end-to-end SMS test needs of a provider's simulator, whichever provider it is. */
export interface SmsProvider {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The `telephony` config section that points the server's adapter at the simulator. */
  telephony(): { use: string; options: Record<string, unknown> };
  /** The message with this provider id as the provider received it, if it did. */
  sent(providerMessageId: string): { from: string; to: string; body: string } | undefined;
  /** How many messages the provider accepted. */
  accepted(): number;
  /**
   * POSTs a signed inbound SMS to `url` as the provider would — again, byte for byte, when `redeliver` names an
   * earlier one — and resolves with the HTTP status and the provider's id of the message.
   */
  inbound(input: { url: string; from: string; to: string; body: string; signature?: 'valid' | 'forged' }): Promise<{ status: number; providerMessageId: string }>;
  redeliver(input: { url: string; from: string; to: string; body: string; providerMessageId: string }): Promise<number>;
  /** Makes every following send fail with this HTTP status (503, 429), or no answer at all, until cleared. */
  failSends(fault: { status: 429 | 503 } | 'timeout' | null): void;
}

const UNTIL_CLEARED = 1_000_000;

export function twilioSms(numbers: string[]): SmsProvider {
  const sim = new TwilioSimulator({ ownedNumbers: numbers, callbackDelayMs: 5 });
  return {
    name: 'twilio',
    start: () => sim.start(),
    stop: () => sim.stop(),
    telephony: () => ({ use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 3000 } }),
    sent: (id) => sim.messages.find((m) => m.sid === id),
    accepted: () => sim.messages.length,
    async inbound({ signature, ...sms }) {
      const delivery = await sim.injectInboundSms({ ...sms, signature: signature ?? 'valid' });
      return { status: delivery.status, providerMessageId: delivery.messageSid };
    },
    redeliver: async ({ providerMessageId }) => (await sim.redeliverInboundSms(providerMessageId)).status,
    failSends(fault) {
      sim.clearFaults();
      if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
      else if (fault) sim.failNext({ status: fault.status, times: UNTIL_CLEARED });
    },
  };
}

export function vonageSms(numbers: string[]): SmsProvider {
  const sim = new VonageTelephonySimulator({ numbers, statusDelayMs: 5 });
  return {
    name: 'vonage',
    start: () => sim.start(),
    stop: () => sim.stop(),
    telephony: () => ({
      use: 'vonage',
      options: {
        apiKey: sim.apiKey, apiSecret: sim.apiSecret, signatureSecret: sim.signatureSecret, signatureMethod: sim.signatureMethod,
        restHost: sim.baseUrl, apiHost: sim.baseUrl, timeoutMs: 3000,
      },
    }),
    sent: (id) => {
      const sms = sim.sms.find((m) => m.messageIds[0] === id);
      return sms && { from: `+${sms.from}`, to: `+${sms.to}`, body: sms.text };
    },
    accepted: () => sim.sms.length,
    async inbound({ body, signature, ...sms }) {
      const delivery = await sim.injectInboundSms({ ...sms, text: body, signature: signature ?? 'valid' });
      return { status: delivery.status, providerMessageId: delivery.messageId };
    },
    redeliver: async ({ body, providerMessageId, ...sms }) => (await sim.injectInboundSms({ ...sms, text: body, messageId: providerMessageId })).status,
    failSends(fault) {
      sim.clearFaults();
      if (fault === 'timeout') sim.hangNext({ times: UNTIL_CLEARED });
      else if (fault) sim.failNext({ status: fault.status, times: UNTIL_CLEARED });
    },
  };
}
