import type { AgentChannelRecord, AgentRecord, AgentVoiceSettings } from '../../ports/records.js';
import { channelListSchema, voiceSettingsSchema } from './agent-channels.js';

export interface AgentView {
  agentId: string;
  name: string;
  status: string;
  callbackUrl: string | null;
  channels: Array<{ channel: string; address: string }>;
  voice: AgentVoiceSettings;
  createdAt: string;
}

export function toAgentView(agent: AgentRecord, channels: AgentChannelRecord[]): AgentView {
  return {
    agentId: agent.id,
    name: agent.name,
    status: agent.status,
    callbackUrl: agent.callbackUrl,
    channels: channels.map((c) => ({ channel: c.channel, address: c.address })),
    voice: agent.voice,
    createdAt: agent.createdAt.toISOString(),
  };
}

export const agentViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['agentId', 'name', 'status', 'callbackUrl', 'channels', 'voice', 'createdAt'],
  properties: {
    agentId: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    callbackUrl: { type: ['string', 'null'] },
    channels: channelListSchema,
    voice: voiceSettingsSchema,
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;
