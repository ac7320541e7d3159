import type { Channel } from '../../ports/records.js';
import { DEFAULT_SCENARIO_ADDRESSES, type ContactCall, type ReceivedMessage, type ScenarioContact } from '../../hosts/scenarios/scenario-contact.js';
import type { ResendSimulator } from '../simulators/resend/resend-simulator.js';
import type { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { buildInboundWhatsApp } from '../simulators/twilio/whatsapp-inbound-form.js';
import { contentTemplateOf } from '../simulators/twilio/whatsapp-window.js';
import { eventually } from './callback-receiver.js';

/** The numbers the Twilio simulator must own for the scenario agent to send and call from. */
export const SCENARIO_AGENT_NUMBERS = [DEFAULT_SCENARIO_ADDRESSES.agent.phone, DEFAULT_SCENARIO_ADDRESSES.agent.whatsapp];

/**
 * The scenarios' contact played by the provider simulators: what reached the far side of Twilio (SMS,
 * WhatsApp, calls) and Resend (email), and replies as signed provider webhooks to the server at `serverUrl()`.
 */
export class SimulatorScenarioContact implements ScenarioContact {
  readonly addresses = DEFAULT_SCENARIO_ADDRESSES;

  constructor(private readonly twilio: TwilioSimulator, private readonly resend: ResendSimulator, private readonly serverUrl: () => string) {}

  async received(channel: Channel, providerMessageId: string): Promise<ReceivedMessage> {
    if (channel === 'email') {
      const email = await eventually(async () => this.resend.emails.find((e) => e.id === providerMessageId));
      return { text: email.text ?? '', attachments: email.attachments.map((a) => a.filename), templateId: null };
    }
    const message = await eventually(async () => this.twilio.messages.find((m) => m.sid === providerMessageId));
    return { text: message.body, attachments: [], templateId: contentTemplateOf(this.twilio, message.sid)?.contentSid ?? null };
  }

  async reply(agentId: string, channel: Channel, from: string, body: string, subject?: string): Promise<void> {
    const url = `${this.serverUrl()}/webhooks/${agentId}/${channel}`;
    const { agent } = this.addresses;
    let status: number;
    if (channel === 'email') {
      status = (await this.resend.injectInbound({ url, from, to: [agent.email], subject: subject ?? '', text: body })).status;
    } else if (channel === 'sms') {
      status = (await this.twilio.injectInboundSms({ url, from, to: agent.phone, body })).status;
    } else {
      const webhook = buildInboundWhatsApp(this.twilio, { url, from, to: agent.whatsapp, body });
      status = (await fetch(webhook.url, { method: 'POST', headers: webhook.headers, body: webhook.rawBody })).status;
    }
    if (status !== 200) throw new Error(`the ${channel} webhook answered ${status}`);
  }

  async answer(_agentId: string, call: { callId: string; providerCallId: string }): Promise<ContactCall> {
    const conversation = await this.twilio.waitForConversation(call.providerCallId);
    return {
      say: async (text) => (await conversation.say(text)).text,
      sayAndInterrupt: async (text) => (await conversation.say(text, { interruptAfterTokens: 3 })).text,
      transferredTo: async () => {
        await conversation.waitForEnd();
        if (!conversation.dialed) throw new Error('the call ended without a dial');
        return conversation.dialed.number;
      },
      hangUp: () => conversation.hangUp(),
    };
  }
}
