import { DomainError } from '../../ports/errors.js';
import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { customerScope } from '../auth/tenancy.js';
import { audited } from '../audit/record-audit.js';
import { requireE164 } from '../phone-number.js';
import { requireAddressAvailable } from './address-availability.js';
import { defineUseCase } from '../use-case.js';

interface SetSharedNumberInput { number: string; defaultAgentId?: string | null }
interface SharedNumberView { number: string; customerId: string | null; defaultAgentId: string | null }

export const setSharedNumber = defineUseCase<SetSharedNumberInput, SharedNumberView>({
  name: 'comms_set_shared_number',
  title: 'Set up a shared number',
  description:
    'Admin only (a customer admin: for its own agents). Declare a number that several agents share (agents created with ' +
    'identity shared or hybrid and this sharedNumber), and the agent that gets messages from contacts none of them talked ' +
    'with yet (`defaultAgentId`; null: such messages are refused with SHARED_NUMBER_UNROUTED and recorded). Point the ' +
    'number\'s SMS webhook at the shared URL (/webhooks/sms).',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['number'],
    properties: {
      number: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164.' },
      defaultAgentId: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
    },
  },
  output: {
    type: 'object', additionalProperties: false, required: ['number', 'customerId', 'defaultAgentId'],
    properties: { number: { type: 'string' }, customerId: { type: ['string', 'null'] }, defaultAgentId: { type: ['string', 'null'] } },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'PUT', path: '/shared-numbers/:number' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const number = requireE164(ctx.ports.phoneNumbers, input.number, 'number');
    const scope = customerScope(ctx.caller) ?? null;
    // A number another customer (or the operator) set up, or that one of their agents holds, is not this customer's;
    // the answer does not say whose it is.
    await requireAddressAvailable(ctx, 'number', 'sms', number);
    const existing = await ctx.ports.db.sharedNumbers.find(number);
    const defaultAgent = input.defaultAgentId ? await actingAgent(ctx, input.defaultAgentId) : null;
    if (defaultAgent && defaultAgent.sharedNumber !== number) {
      throw new DomainError('INVALID_INPUT', `Agent ${defaultAgent.id} does not answer on this number.`,
        'Choose an agent created with this sharedNumber.', { field: 'defaultAgentId' });
    }
    const now = ctx.ports.clock.now();
    const customerId = existing?.customerId ?? scope ?? defaultAgent?.customerId ?? null;
    const record = { address: number, customerId, defaultAgentId: defaultAgent?.id ?? null, createdAt: existing?.createdAt ?? now, updatedAt: now };
    await audited(ctx, { action: 'shared-number.set', agentId: record.defaultAgentId, targets: { customerId } }, async (tx) => {
      await tx.sharedNumbers.save(record);
      return { result: undefined };
    });
    return { number, customerId, defaultAgentId: record.defaultAgentId };
  },
});
