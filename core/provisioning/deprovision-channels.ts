import { DomainError, isDomainError } from '../../ports/errors.js';
import { actorOf, recordAudit } from '../audit/record-audit.js';
import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import type { NumberActor } from './buy-number.js';
import { giveBackNumber } from './give-back-number.js';
import { runJournaled } from './journal.js';
import { agentNumberAccount } from './agent-number-provider.js';
import { IDEMPOTENCY_KEY } from './provisioning-schemas.js';
import { requireProviderAccounts } from '../customers/subaccounts.js';

interface DeprovisionInput {
  agentId: string;
  idempotencyKey: string;
  numbers: string[];
}

interface DeprovisionResult extends Record<string, unknown> {
  agentId: string;
  numbers: Array<{ numberId: string; phoneNumber: string; outcome: string }>;
  whatsappSendersReturned: number;
  tokenRevoked: boolean;
  limitsRemoved: boolean;
  /** The agent's own provider subaccount (`per-agent` isolation) was closed. */
  subaccountClosed: boolean;
}

export const deprovisionChannels = defineUseCase<DeprovisionInput, DeprovisionResult & { operationId: string; resumed: boolean }>({
  name: 'comms_deprovision_channels',
  title: 'Deprovision an agent\'s channels',
  description:
    'Admin only (a customer admin: its own agents). Take an agent off the air: each of its numbers goes back to the spare pool (while the pool is below its size) ' +
    'or is released at the provider (for good), its WhatsApp sender returns to the pool, its token is revoked and the agent ' +
    'disabled, its own limits are removed, and its own provider subaccount (`per-agent` isolation) is closed once its numbers are ' +
    'released. `numbers` must list exactly the agent\'s numbers (comms_get_channel_status ' +
    'shows them). Each step is recorded: a retry with the same idempotencyKey resumes where a failure stopped.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'idempotencyKey', 'numbers'],
    properties: {
      agentId: { type: 'string', minLength: 1 },
      idempotencyKey: IDEMPOTENCY_KEY,
      numbers: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 32 }, description: 'The agent\'s numbers (E.164) that will be released or returned: exactly those it holds.' },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'operationId', 'resumed', 'numbers', 'whatsappSendersReturned', 'tokenRevoked', 'limitsRemoved', 'subaccountClosed'],
    properties: {
      agentId: { type: 'string' },
      operationId: { type: 'string' },
      resumed: { type: 'boolean' },
      numbers: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['numberId', 'phoneNumber', 'outcome'],
          properties: { numberId: { type: 'string' }, phoneNumber: { type: 'string' }, outcome: { type: 'string', enum: ['pool', 'released', 'gone'] } },
        },
      },
      whatsappSendersReturned: { type: 'integer' },
      tokenRevoked: { type: 'boolean' },
      limitsRemoved: { type: 'boolean' },
      subaccountClosed: { type: 'boolean' },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  confirmation: { byDefault: true, target: 'numbers' },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/agents/:agentId/deprovision' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const { ports } = ctx;
    const actor: NumberActor = { ports, who: actorOf(ctx.caller), requestId: ctx.requestId };
    const facts = { action: 'channels.deprovision', agentId: agent.id };
    try {
      const result = await runJournaled(ctx, 'deprovision', agent.id, input.idempotencyKey, { ...input, numbers: [...input.numbers].sort() }, async (run) => {
        const held = await ports.db.provisioning.listAgentNumbers(agent.id);
        const named = new Set(input.numbers);
        const released = new Set(run.steps.filter((s) => s.name.startsWith('number:')).map((s) => String(s.facts.phoneNumber)));
        const unnamed = held.filter((n) => !named.has(n.phoneNumber));
        const unknown = input.numbers.filter((n) => !held.some((h) => h.phoneNumber === n) && !released.has(n));
        if (unnamed.length > 0 || unknown.length > 0) {
          throw new DomainError('INVALID_INPUT', 'numbers must list exactly the agent\'s numbers: nothing is released that was not named.',
            `Pass numbers: ${JSON.stringify(held.map((n) => n.phoneNumber))} (and the same in confirm), after the person approved releasing them.`,
            { field: 'numbers', held: held.length, unnamed: unnamed.length, unknown: unknown.length });
        }
        const account = held.length > 0 ? await agentNumberAccount(ports, agent) : null;
        for (const number of held) {
          await run.step(`number:${number.id}`, async () => ({
            numberId: number.id, phoneNumber: number.phoneNumber, outcome: await giveBackNumber(actor, account!, number),
          }));
        }
        // Closing is final at the provider and takes whatever the subaccount still holds: only after its numbers went.
        const subaccount = agent.providerAccount
          ? await run.step('subaccount', async () => {
            await requireProviderAccounts(ctx).closeSubaccount(agent.providerAccount!);
            return { closed: true };
          })
          : { closed: false };
        const whatsapp = await run.step('whatsapp', async () => {
          await ports.db.agents.removeChannel(agent.id, 'whatsapp');
          return { returned: await ports.db.whatsappSenders.unassign(agent.id) };
        });
        await run.step('sms-channel', async () => {
          await ports.db.agents.removeChannel(agent.id, 'sms');
          return {};
        });
        await run.step('token', async () => {
          // A hash of a token nobody was given: the old token stops matching at once, and no new one exists.
          await ports.db.agents.update(agent.id, { tokenHash: ports.secrets.hash(ports.secrets.generate('aoc_')), status: 'disabled', updatedAt: ports.clock.now() });
          return {};
        });
        const limits = await run.step('limits', async () => {
          const own = await ports.db.usage.getLimits(agent.id);
          if (own) await ports.db.usage.setLimits({ agentId: agent.id, tier: null, overrides: {}, updatedAt: ports.clock.now() });
          return { removed: own !== null };
        });
        return {
          agentId: agent.id,
          numbers: run.steps.filter((s) => s.name.startsWith('number:')).map((s) => ({
            numberId: String(s.facts.numberId), phoneNumber: String(s.facts.phoneNumber), outcome: String(s.facts.outcome),
          })),
          whatsappSendersReturned: Number(whatsapp.returned),
          tokenRevoked: true,
          limitsRemoved: limits.removed === true,
          subaccountClosed: subaccount.closed === true,
        };
      });
      await recordAudit(ports, actorOf(ctx.caller), { ...facts, targets: { operationId: result.operationId } }, 'ok', ctx.requestId);
      return result;
    } catch (err) {
      await recordAudit(ports, actorOf(ctx.caller), facts, isDomainError(err) ? err.code : 'INTERNAL', ctx.requestId);
      throw err;
    }
  },
});
