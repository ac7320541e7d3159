import { DomainError } from '../../ports/errors.js';
import { createAgent, type CreateAgentOutput } from '../agents/create-agent.js';
import { updateAgent } from '../agents/update-agent.js';
import { channelFieldSchemas } from '../agents/agent-channels.js';
import type { UseCaseContext } from '../context.js';
import { DEMO_PROVIDER } from '../demo/demo-inbound.js';
import { provisionChannels } from '../provisioning/provision-channels.js';
import type { SetupRecord } from '../../ports/setup.js';
import { defineUseCase } from '../use-case.js';
import { asOperator, firstAgentId, openSetup } from './setup-access.js';
import { setupPublicUrl } from './setup-status.js';

export const createFirstAgent = defineUseCase<{ name: string; email?: string; callbackUrl?: string }, CreateAgentOutput>({
  name: 'comms_setup_create_agent',
  title: 'Create the first agent',
  description:
    'Setup step: create the first agent (as comms_create_agent does) and remember it as setup\'s agent; its number is chosen next ' +
    '(comms_setup_choose_number). The token is returned once. CONFLICT when setup already created one.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      email: channelFieldSchemas.email,
      callbackUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 },
    },
  },
  output: createAgent.output,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/agent', successStatus: 201 },
  async run(ctx, input) {
    const record = await openSetup(ctx);
    const existing = record.progress.firstAgentId ? await ctx.ports.db.agents.findById(record.progress.firstAgentId) : null;
    if (existing) {
      throw new DomainError('CONFLICT', `Setup already created agent ${existing.id}.`,
        'Keep it (a lost token is replaced with comms_rotate_agent_token), or create more agents with comms_create_agent.', { agentId: existing.id });
    }
    const created = await createAgent.run(asOperator(ctx), input);
    await ctx.ports.setup.store.write({ progress: { firstAgentId: created.agentId } });
    return created;
  },
});

type NumberSource = 'demo' | 'existing' | 'buy';

/** Demo numbers handed out by setup: the reserved +1 555 01xx range, never a real line. */
const DEMO_NUMBERS = Array.from({ length: 100 }, (_, i) => `+155501001${String(i).padStart(2, '0')}`);

async function demoNumber(ctx: UseCaseContext): Promise<string> {
  if (ctx.ports.telephony?.id !== DEMO_PROVIDER) {
    throw new DomainError('INVALID_INPUT', 'Demo numbers exist only while telephony runs on the demo adapter.',
      'Enter a number your provider account owns (source existing), or set telephony to mock.', { field: 'source' });
  }
  for (const number of DEMO_NUMBERS) {
    if (!(await ctx.ports.db.agents.findChannelByAddress('sms', number))) return number;
  }
  throw new DomainError('CONFLICT', 'Every demo number is taken.', 'Enter a number yourself (source existing).');
}

/**
 * Setup's "buy": the provisioning use case (a spare of the pool, else a number searched and bought, its
 * webhooks pointed here, recorded step by step) for the first agent, with the public URL setup checked.
 * The idempotency key is the agent's own, so running this step again, or after a failure half-way,
 * resumes or replays the same run and never buys a second number.
 */
export async function buyNumberForSetup(ctx: UseCaseContext, record: SetupRecord, agentId: string): Promise<{ number: string; webhooksConfigured: boolean }> {
  const settings = { ...ctx.ports.settings, publicBaseUrl: setupPublicUrl(ctx, record) };
  const operator = { ...asOperator(ctx), ports: { ...ctx.ports, settings } };
  const provisioned = await provisionChannels.run(operator, { agentId, idempotencyKey: `setup-number-${agentId}`, sms: true, voice: true });
  return { number: provisioned.number!.phoneNumber, webhooksConfigured: true };
}

interface NumberOutput {
  agentId: string;
  phone: string;
  source: NumberSource;
  /** Where the provider must send the number's events; empty when they were configured for you (or in demo mode). */
  webhooksToSet: Array<{ what: string; url: string }>;
}

function webhooksFor(base: string): NumberOutput['webhooksToSet'] {
  return [
    { what: 'SMS: a message comes in', url: `${base}/webhooks/sms` },
    { what: 'SMS: status callback', url: `${base}/webhooks/sms/status` },
    { what: 'Voice: a call comes in', url: `${base}/webhooks/voice` },
    { what: 'Voice: status callback', url: `${base}/webhooks/voice/status` },
  ];
}

export const chooseNumber = defineUseCase<{ source: NumberSource; phone?: string }, NumberOutput>({
  name: 'comms_setup_choose_number',
  title: 'Choose the first agent\'s number',
  description:
    'Setup step: give the first agent its SMS/voice number: `demo` (a +1 555 01xx number of the demo adapter), `existing` (a number ' +
    'your provider account owns, in `phone`), or `buy` (a spare of the number pool, else one bought at the provider: this costs money; ' +
    'its webhooks are pointed at this server for you, as comms_provision_channels does). For `existing`, the answer lists the webhook ' +
    'URLs to set in the provider\'s console for the number.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['source'],
    properties: { source: { type: 'string', enum: ['demo', 'existing', 'buy'] }, phone: channelFieldSchemas.phone },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'phone', 'source', 'webhooksToSet'],
    properties: {
      agentId: { type: 'string' },
      phone: { type: 'string' },
      source: { type: 'string' },
      webhooksToSet: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['what', 'url'], properties: { what: { type: 'string' }, url: { type: 'string' } } } },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/number' },
  async run(ctx, input) {
    const record = await openSetup(ctx);
    const agentId = firstAgentId(record);
    if (input.source === 'buy') {
      const bought = await buyNumberForSetup(ctx, record, agentId);
      return { agentId, phone: bought.number, source: 'buy', webhooksToSet: bought.webhooksConfigured ? [] : webhooksFor(setupPublicUrl(ctx, record)) };
    }
    if (input.source === 'existing' && !input.phone) {
      throw new DomainError('INVALID_INPUT', 'phone is required with source existing.', 'Give the number in E.164 form (+15550100123).', { field: 'phone' });
    }
    const phone = input.source === 'demo' ? await demoNumber(ctx) : input.phone!;
    const agent = await updateAgent.run(asOperator(ctx), { agentId, phone });
    const stored = agent.channels.find((c) => c.channel === 'sms')!.address;
    return { agentId, phone: stored, source: input.source, webhooksToSet: input.source === 'demo' ? [] : webhooksFor(setupPublicUrl(ctx, record)) };
  },
});
