import { actorOf } from '../audit/record-audit.js';
import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { settleBuying, type NumberActor } from './buy-number.js';
import { emailStatus, numberStatuses, type EmailStatus, type NumberStatus } from './channel-status.js';
import { pointWebhooks } from './point-webhooks.js';
import { agentNumberAccount } from './agent-number-provider.js';
import type { NumberProvider } from './provisioning-errors.js';
import { dnsRecordsSchema, webhooksSchema } from './provisioning-schemas.js';
import type { CorePorts } from '../context.js';
import type { AgentRecord } from '../../ports/records.js';

interface ChannelStatus {
  agentId: string;
  numbers: NumberStatus[];
  whatsapp: Array<{ senderId: string; address: string }>;
  email: EmailStatus | null;
  drift: boolean;
}

const numberStatusSchema = {
  type: 'object', additionalProperties: false, required: ['numberId', 'phoneNumber', 'state', 'active', 'webhooks', 'expected', 'drift'],
  properties: {
    numberId: { type: 'string' }, phoneNumber: { type: 'string' }, state: { type: 'string', enum: ['buying', 'owned', 'releasing'] },
    active: { type: 'boolean' }, webhooks: { ...webhooksSchema, type: ['object', 'null'] }, expected: webhooksSchema,
    drift: { type: 'array', items: { type: 'string' } },
  },
} as const;

const statusSchema = {
  type: 'object', additionalProperties: false, required: ['agentId', 'numbers', 'whatsapp', 'email', 'drift'],
  properties: {
    agentId: { type: 'string' },
    numbers: { type: 'array', items: numberStatusSchema },
    whatsapp: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['senderId', 'address'], properties: { senderId: { type: 'string' }, address: { type: 'string' } } },
    },
    email: {
      type: ['object', 'null'], additionalProperties: false, required: ['address', 'domain', 'domainId', 'status', 'records'],
      properties: { address: { type: 'string' }, domain: { type: 'string' }, domainId: { type: ['string', 'null'] }, status: { type: 'string' }, records: dnsRecordsSchema },
    },
    drift: { type: 'boolean', description: 'True when a number is not active or its webhooks do not point here: comms_repair_channels fixes what it can.' },
  },
} as const;

const agentInput = { type: 'object', additionalProperties: false, required: ['agentId'], properties: { agentId: { type: 'string', minLength: 1 } } } as const;

/** The agent's numbers are looked up in its own account when it has one; null when the adapter cannot read numbers. */
async function providerIfAny(ports: CorePorts, agent: AgentRecord): Promise<NumberProvider | null> {
  return ports.telephony?.port.numbers ? (await agentNumberAccount(ports, agent)).provider : null;
}

async function statusOf(ports: CorePorts, agent: AgentRecord): Promise<ChannelStatus> {
  const agentId = agent.id;
  const numbers = await numberStatuses(ports, await providerIfAny(ports, agent), agentId);
  const senders = (await ports.db.whatsappSenders.candidatesFor(agentId)).filter((s) => s.agentId === agentId);
  return {
    agentId,
    numbers,
    whatsapp: senders.map((s) => ({ senderId: s.id, address: s.address })),
    email: await emailStatus(ports, agentId),
    drift: numbers.some((n) => n.state !== 'owned' || !n.active || n.drift.length > 0),
  };
}

export const getChannelStatus = defineUseCase<{ agentId: string }, ChannelStatus>({
  name: 'comms_get_channel_status',
  title: 'Show an agent\'s channels at the providers',
  description:
    'Admin only (a customer admin: its own agents). The provider\'s live view of an agent\'s channels: each number (still held? webhooks pointing at this server, ' +
    'or drifted and which ones), its WhatsApp senders, and its email domain\'s verification state with the DNS records to publish.',
  input: agentInput,
  output: statusSchema,
  annotations: { readOnlyHint: true, openWorldHint: true },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'GET', path: '/agents/:agentId/channel-status' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    return statusOf(ctx.ports, agent);
  },
});

export const repairChannels = defineUseCase<{ agentId: string }, ChannelStatus & { repaired: string[] }>({
  name: 'comms_repair_channels',
  title: 'Repair an agent\'s channels',
  description:
    'Admin only (a customer admin: its own agents). Fix what comms_get_channel_status reports as drift: webhooks pointed back at this server, half-bought numbers ' +
    'settled by looking them up, and a new verification asked for an email domain not yet verified. Nothing is bought or released.',
  input: agentInput,
  output: { ...statusSchema, required: [...statusSchema.required, 'repaired'], properties: { ...statusSchema.properties, repaired: { type: 'array', items: { type: 'string' } } } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/agents/:agentId/repair-channels' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const { ports } = ctx;
    const actor: NumberActor = { ports, who: actorOf(ctx.caller), requestId: ctx.requestId };
    const repaired: string[] = [];
    const before = await statusOf(ports, agent);
    const provider = before.numbers.length > 0 ? (await agentNumberAccount(ports, agent)).provider : null;
    for (const status of before.numbers) {
      const record = await ports.db.provisioning.findNumber(status.numberId);
      if (!record || !provider) continue;
      if (record.state === 'buying') {
        if (await settleBuying(actor, provider, record)) repaired.push(`${record.id}: settled`);
        continue;
      }
      if (record.state === 'owned' && status.active && status.drift.length > 0) {
        await pointWebhooks(actor, provider, record, agent.id);
        repaired.push(`${record.id}: webhooks ${status.drift.join(', ')}`);
      }
    }
    if (before.email?.domainId && before.email.status !== 'verified') {
      await ports.email?.port.domains?.verifyDomain(before.email.domainId);
      repaired.push(`${before.email.domainId}: verification requested`);
    }
    return { ...(await statusOf(ports, agent)), repaired };
  },
});
