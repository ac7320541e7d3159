import { DomainError } from '../../ports/errors.js';
import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';
import { requireAddressAvailable } from '../customers/address-availability.js';
import type { AgentVoiceSettings } from '../../ports/records.js';
import { CHANNEL_FIELDS, channelFieldSchemas, newChannel, normaliseAddress, voiceSettingsSchema } from './agent-channels.js';
import { type AgentView, agentViewSchema, toAgentView } from './agent-view.js';
import { requireSpeechPipeline } from '../conversation/speech-pipeline.js';

export interface UpdateAgentInput {
  agentId: string;
  name?: string;
  callbackUrl?: string | null;
  status?: 'active' | 'disabled';
  /** A new address replaces the old one on that channel; null removes the channel. */
  phone?: string | null;
  email?: string | null;
  whatsapp?: string | null;
  /** Replaces the agent's live-voice settings as a whole. */
  voice?: AgentVoiceSettings;
}

const orNull = <T extends object>(schema: T) => ({ anyOf: [schema, { type: 'null' }] });

export const updateAgent = defineUseCase<UpdateAgentInput, AgentView>({
  name: 'comms_update_agent',
  title: 'Update an agent',
  description:
    'Admin only. Change an agent\'s name, callback URL or status (disabled agents\' tokens stop working), and set ' +
    'or remove its channels: phone (sms), email and whatsapp (a new address replaces the old one; null removes it), ' +
    'and its live-call settings (voice: greeting, instructions, voice, language, interruptible, transport, record, ' +
    'machineDetection, onMachine).',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    properties: {
      agentId: { type: 'string', minLength: 1 },
      name: { type: 'string', minLength: 1, maxLength: 200 },
      callbackUrl: orNull({ type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 }),
      status: { type: 'string', enum: ['active', 'disabled'] },
      phone: orNull(channelFieldSchemas.phone),
      email: orNull(channelFieldSchemas.email),
      whatsapp: orNull(channelFieldSchemas.whatsapp),
      voice: voiceSettingsSchema,
    },
  },
  output: agentViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'PATCH', path: '/agents/:agentId' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const { db, clock } = ctx.ports;
    if (input.voice?.transport) requireSpeechPipeline(ctx.ports, input.voice.transport);
    const name = input.name?.trim();
    if (name === '') throw new DomainError('INVALID_INPUT', 'name must not be empty.', 'Give the agent a name.', { field: 'name' });
    // Validate every address and check its owner before writing anything, so a bad one leaves the agent unchanged.
    const changes = CHANNEL_FIELDS.flatMap(([field, channel]) => {
      const value = input[field];
      if (value === undefined) return [];
      return [{ channel, address: value === null ? null : normaliseAddress(ctx, channel, field, value) }];
    });
    for (const { channel, address } of changes) {
      if (address !== null) await requireAddressAvailable(ctx, CHANNEL_FIELDS.find(([, c]) => c === channel)![0], channel, address);
      const owner = address === null ? null : await db.agents.findChannelByAddress(channel, address);
      if (owner && owner.agentId !== agent.id) {
        throw new DomainError('CONFLICT', `${address} already belongs to another agent.`, 'Choose another address, or remove it from the other agent first.', { channel });
      }
    }
    const fields = (['name', 'callbackUrl', 'status', 'voice'] as const).filter((f) => input[f] !== undefined);
    const facts = { action: 'agent.update', agentId: agent.id, targets: { fields: fields.join(','), channels: changes.map((c) => c.channel).join(','), status: input.status ?? null } };
    await audited(ctx, facts, async (tx) => {
      for (const { channel, address } of changes) {
        if (address === null) await tx.agents.removeChannel(agent.id, channel);
        else await tx.agents.setChannel(newChannel(ctx, agent.id, channel, address));
      }
      if (fields.length > 0) {
        await tx.agents.update(agent.id, { name, callbackUrl: input.callbackUrl, status: input.status, voice: input.voice, updatedAt: clock.now() });
      }
      return { result: undefined };
    });
    const updated = (await db.agents.findById(agent.id)) ?? agent;
    return toAgentView(updated, await db.agents.listChannels(agent.id));
  },
});
