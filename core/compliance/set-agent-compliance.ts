import { DomainError } from '../../ports/errors.js';
import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';
import { forgetAgentCompliance, type AgentComplianceSettings } from './agent-compliance.js';

const time = (what: string) => ({ type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: `${what}, HH:MM local time.` }) as const;
const windowSchema = { type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: time('From'), end: time('Until (exclusive)') } } as const;

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    quietHours: {
      type: 'object',
      additionalProperties: false,
      description: 'This agent\'s allowed hours in the recipient\'s local time, over the server\'s; enabled: false exempts the agent.',
      properties: {
        enabled: { type: 'boolean' },
        start: time('From'),
        end: time('Until (exclusive)'),
        countries: { type: 'object', propertyNames: { pattern: '^[A-Z]{2}$' }, additionalProperties: windowSchema },
      },
    },
  },
} as const;

export const setAgentCompliance = defineUseCase<{ agentId: string; settings: AgentComplianceSettings }, { agentId: string; settings: AgentComplianceSettings }>({
  name: 'comms_set_agent_compliance',
  title: 'Set an agent\'s compliance settings',
  description: 'Admin: replace an agent\'s own compliance settings (quiet-hours window, per country, or an exemption) over the server\'s `compliance` config. {} returns it to the server\'s.',
  input: { type: 'object', additionalProperties: false, required: ['agentId', 'settings'], properties: { agentId: { type: 'string', minLength: 1 }, settings: settingsSchema } },
  output: { type: 'object', additionalProperties: false, required: ['agentId', 'settings'], properties: { agentId: { type: 'string' }, settings: settingsSchema } },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'compliance',
  rest: { method: 'PUT', path: '/agents/:agentId/compliance' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const quiet = input.settings.quietHours;
    if (quiet && (quiet.start === undefined) !== (quiet.end === undefined)) {
      throw new DomainError('INVALID_INPUT', 'quietHours needs both start and end, or neither.', 'Give the whole window.', { field: 'settings.quietHours' });
    }
    await audited(ctx, { action: 'agent.compliance.set', agentId: agent.id, targets: { settings: Object.keys(input.settings).sort().join(',') } }, async (tx) => {
      await tx.compliance.setAgentSettings({ agentId: agent.id, settings: { ...input.settings }, updatedAt: ctx.ports.clock.now() });
      return { result: undefined };
    });
    forgetAgentCompliance(ctx.ports, agent.id);
    return { agentId: agent.id, settings: input.settings };
  },
});
