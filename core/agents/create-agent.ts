import { DomainError, isDomainError } from '../../ports/errors.js';
import type { AgentChannelRecord, AgentIdentity, AgentRecord, AgentVoiceSettings } from '../../ports/records.js';
import { agentTenancy, openAgentSubaccount, tenancyFieldSchemas } from '../customers/agent-tenancy.js';
import { requireAdmin } from '../auth/authenticate.js';
import { CHANNEL_FIELDS, channelFieldSchemas, channelListSchema, newChannel, normaliseAddress, voiceSettingsSchema } from './agent-channels.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';
import { requireAddressAvailable } from '../customers/address-availability.js';

export interface CreateAgentInput {
  name: string;
  phone?: string;
  email?: string;
  whatsapp?: string;
  callbackUrl?: string;
  voice?: AgentVoiceSettings;
  customerId?: string;
  identity?: AgentIdentity;
  sharedNumber?: string;
}

export interface CreateAgentOutput {
  agentId: string;
  /** Bearer token of the agent. Shown once: only its hash is stored. */
  token: string;
  /** Secret that signs forwarded events (Standard Webhooks). Shown once here. */
  callbackSecret: string;
  channels: Array<{ channel: string; address: string }>;
}

export const createAgent = defineUseCase<CreateAgentInput, CreateAgentOutput>({
  name: 'comms_create_agent',
  title: 'Create an agent',
  description:
    'Admin only. Create an agent with its own bearer token and, optionally, its phone number (E.164), email ' +
    'address, dedicated WhatsApp sender and the callback URL its inbound messages are forwarded to. The token ' +
    'is returned once and cannot be shown again. With a customer admin token the agent is that customer\'s; the operator ' +
    'names the customer with `customerId`. `identity`: `dedicated` (its own number, default), `shared` (answers on ' +
    '`sharedNumber` with other agents; inbound goes to the agent the contact last talked with) or `hybrid` (both).',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      ...channelFieldSchemas,
      voice: voiceSettingsSchema,
      callbackUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
      ...tenancyFieldSchemas,
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'token', 'callbackSecret', 'channels'],
    properties: {
      agentId: { type: 'string' },
      token: { type: 'string' },
      callbackSecret: { type: 'string' },
      channels: channelListSchema,
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/agents', successStatus: 201 },
  async run(ctx, input) {
    requireAdmin(ctx);
    const { ids, secrets, clock } = ctx.ports;
    const name = input.name.trim();
    if (name === '') throw new DomainError('INVALID_INPUT', 'name must not be empty.', 'Give the agent a name.', { field: 'name' });
    const { fields, isolation } = await agentTenancy(ctx, input);
    const now = clock.now();
    const token = secrets.generate('aoc_');
    const agent: AgentRecord = {
      id: ids.next('agt'),
      name,
      tokenHash: secrets.hash(token),
      callbackUrl: input.callbackUrl ?? null,
      callbackSecret: secrets.signingSecret(),
      status: 'active',
      voice: input.voice ?? {},
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    const requested = CHANNEL_FIELDS.flatMap(([field, channel]) =>
      input[field] === undefined ? [] : [{ field, record: newChannel(ctx, agent.id, channel, normaliseAddress(ctx, channel, field, input[field])) }],
    );
    const channels: AgentChannelRecord[] = requested.map((r) => r.record);
    const requireAvailable = async () => {
      for (const { field, record } of requested) await requireAddressAvailable(ctx, field, record.channel, record.address);
    };
    await requireAvailable();
    // `per-agent` isolation: the agent's own subaccount, created (and its credentials stored) after the cheap checks.
    const stored = isolation === 'per-agent' ? { ...agent, ...(await openAgentSubaccount(ctx, agent)) } : agent;
    try {
      await audited(ctx, { action: 'agent.create', agentId: agent.id, targets: { channels: channels.map((c) => c.channel).join(','), customerId: agent.customerId ?? null } }, async (tx) => {
        await tx.agents.create(stored, channels);
        return { result: undefined };
      });
    } catch (err) {
      // Taken meanwhile by someone else: a customer admin gets the same answer as when it was taken before.
      if (isDomainError(err) && err.code === 'CONFLICT') await requireAvailable();
      throw err;
    }
    return {
      agentId: agent.id,
      token,
      callbackSecret: agent.callbackSecret,
      channels: channels.map((c) => ({ channel: c.channel, address: c.address })),
    };
  },
});
