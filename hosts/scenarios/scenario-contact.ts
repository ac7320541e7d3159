import type { Channel } from '../../ports/records.js';

/** Reserved test numbers and example.com addresses: a scenario never reaches a real person by accident. */
export interface ScenarioAddresses {
  /** The scenario agent's own addresses. */
  agent: { phone: string; email: string; whatsapp: string };
  /** The contact the agent talks to. */
  person: { phone: string; email: string; whatsapp: string };
  /** The person a live call is transferred to. */
  human: string;
}

export const DEFAULT_SCENARIO_ADDRESSES: ScenarioAddresses = {
  agent: { phone: '+15550100061', email: 'scenarios@example.com', whatsapp: '+15550100062' },
  person: { phone: '+15550100161', email: 'contact@example.com', whatsapp: '+15550100162' },
  human: '+15550100163',
};

/** What the contact got from the provider for one message. */
export interface ReceivedMessage {
  text: string;
  attachments: string[];
  /** The template id of a WhatsApp template message; null for free text. */
  templateId: string | null;
}

/** The contact on a live call the agent placed, as the provider's voice socket sees it. */
export interface ContactCall {
  /** The contact speaks; resolves with the agent's whole reply. */
  say(text: string): Promise<string>;
  /** The contact speaks, then talks over the agent once its reply has begun; resolves with what was heard of it. */
  sayAndInterrupt(text: string): Promise<string>;
  /** Waits until the provider is told to connect the caller to someone; resolves with that number. */
  transferredTo(): Promise<string>;
  hangUp(): Promise<void>;
}

/**
 * The other side of a scenario, played through the provider side: in demo mode the demo adapters, in
 * the test suite the provider simulators. The agent's side never goes through here.
 */
export interface ScenarioContact {
  readonly addresses: ScenarioAddresses;
  /** Waits until the provider has handed the contact the message with this provider id. */
  received(channel: Channel, providerMessageId: string): Promise<ReceivedMessage>;
  /** The contact (`from`, one of its addresses) writes to the agent through the provider's inbound path. */
  reply(agentId: string, channel: Channel, from: string, body: string, subject?: string): Promise<void>;
  /** The contact picks up a live call the agent placed. */
  answer(agentId: string, call: { callId: string; providerCallId: string }): Promise<ContactCall>;
}
