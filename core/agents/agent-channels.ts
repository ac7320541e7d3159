import type { AgentChannelRecord, Channel } from '../../ports/records.js';
import type { UseCaseContext } from '../context.js';
import { requireEmailAddresses } from '../email-address.js';
import { requireE164 } from '../phone-number.js';

/** The input fields that give an agent an address, by channel. */
export const CHANNEL_FIELDS: ReadonlyArray<readonly [field: 'phone' | 'email' | 'whatsapp', channel: Channel]> = [
  ['phone', 'sms'],
  ['email', 'email'],
  ['whatsapp', 'whatsapp'],
];

export const channelFieldSchemas = {
  phone: { type: 'string', minLength: 1, maxLength: 32, description: 'The agent\'s own phone number for SMS, international form (stored as E.164).' },
  email: { type: 'string', minLength: 3, maxLength: 320, description: 'The agent\'s own email address (the sender of its mail).' },
  whatsapp: { type: 'string', minLength: 1, maxLength: 40, description: 'The agent\'s dedicated WhatsApp sender, international form (stored as E.164).' },
} as const;

/** Validates and normalises an address for its channel (E.164 numbers; lower-case email). */
export function normaliseAddress(ctx: UseCaseContext, channel: Channel, field: string, raw: string): string {
  const value = raw.trim();
  if (channel === 'email') return requireEmailAddresses([value], field)[0]!.toLowerCase();
  return requireE164(ctx.ports.phoneNumbers, value.replace(/^whatsapp:/, ''), field);
}

export function newChannel(ctx: UseCaseContext, agentId: string, channel: Channel, address: string): AgentChannelRecord {
  return { id: ctx.ports.ids.next('chn'), agentId, channel, address, createdAt: ctx.ports.clock.now() };
}

export const channelListSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'address'],
    properties: { channel: { type: 'string' }, address: { type: 'string' } },
  },
} as const;

/** Live-voice settings an admin may give an agent (each overrides the server's `voice` defaults). */
export const voiceSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Live-call settings: greeting, instructions for the brain, provider voice, language (BCP 47), interruptible, transport.',
  properties: {
    greeting: { type: 'string', minLength: 1, maxLength: 500 },
    instructions: { type: 'string', minLength: 1, maxLength: 8000 },
    voice: { type: 'string', minLength: 1, maxLength: 200 },
    language: { type: 'string', minLength: 2, maxLength: 35 },
    interruptible: { type: 'boolean' },
    machineDetection: { type: 'boolean', description: 'Detect answering machines on outbound calls and voice messages (a voice message then plays after the beep).' },
    onMachine: { type: 'string', enum: ['voicemail', 'hangup'], description: 'A live call that reaches a machine: leave a voicemail about its purpose, or hang up.' },
    record: { type: 'boolean', description: 'Record the agent\'s live calls; the recording is stored and its link is in comms_get_call.' },
    transport: { type: 'string', enum: ['conversationrelay', 'media-stream'], description: 'conversationrelay: the provider recognises and speaks; media-stream: raw audio through this server\'s stt and tts adapters.' },
  },
} as const;
