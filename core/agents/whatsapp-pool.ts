import { DomainError } from '../../ports/errors.js';
import { requireOperator } from '../auth/tenancy.js';
import { requireE164 } from '../phone-number.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';

interface SenderView { id: string; address: string; agentId: string | null; createdAt: string }

const senderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'address', 'agentId', 'createdAt'],
  properties: { id: { type: 'string' }, address: { type: 'string' }, agentId: { type: ['string', 'null'] }, createdAt: { type: 'string' } },
} as const;

export const addWhatsAppSender = defineUseCase<{ address: string; agentId?: string }, SenderView>({
  name: 'comms_add_whatsapp_sender',
  title: 'Add a WhatsApp sender to the pool',
  description:
    'Admin only. Add a WhatsApp sender number (registered with the provider) to the pool. With agentId it is ' +
    'assigned to that agent; without, it is shared by every agent that has no dedicated sender.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['address'],
    properties: { address: { type: 'string', minLength: 1, maxLength: 40 }, agentId: { type: 'string', minLength: 1 } },
  },
  output: senderSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/whatsapp-senders', successStatus: 201 },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_add_whatsapp_sender');
    const { db, ids, clock } = ctx.ports;
    if (input.agentId !== undefined && !(await db.agents.findById(input.agentId))) {
      throw new DomainError('NOT_FOUND', `Agent ${input.agentId} does not exist.`, 'Check the agentId.', { agentId: input.agentId });
    }
    const sender = {
      id: ids.next('was'),
      address: requireE164(ctx.ports.phoneNumbers, input.address.trim().replace(/^whatsapp:/, ''), 'address'),
      agentId: input.agentId ?? null,
      createdAt: clock.now(),
    };
    await audited(ctx, { action: 'whatsapp-sender.add', agentId: sender.agentId, targets: { senderId: sender.id } }, async (tx) => {
      await tx.whatsappSenders.add(sender);
      return { result: undefined };
    });
    return { ...sender, createdAt: sender.createdAt.toISOString() };
  },
});

export const listWhatsAppSenders = defineUseCase<Record<string, never>, { senders: SenderView[] }>({
  name: 'comms_list_whatsapp_senders',
  title: 'List the WhatsApp sender pool',
  description: 'Admin only. Every WhatsApp sender of the pool, with the agent it is assigned to (null: shared).',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: { type: 'object', additionalProperties: false, required: ['senders'], properties: { senders: { type: 'array', items: senderSchema } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'GET', path: '/whatsapp-senders' },
  async run(ctx) {
    requireOperator(ctx, 'comms_list_whatsapp_senders');
    const senders = await ctx.ports.db.whatsappSenders.list();
    return { senders: senders.map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })) };
  },
});
