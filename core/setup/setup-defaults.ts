import type { SetupChoices } from '../../ports/setup.js';
import { defineUseCase } from '../use-case.js';
import { openSetup } from './setup-access.js';
import { publicBaseUrl } from './setup-public-url.js';

interface SetupConfigInput {
  publicBaseUrl?: string;
  /** Spending caps of the default tier, decimal amounts in usage.currency; null: no cap. */
  spendPerDay?: string | null;
  spendPerMonth?: string | null;
  quietHours?: { enabled: boolean; start?: string; end?: string };
}

const AMOUNT = { type: ['string', 'null'], pattern: '^\\d+(\\.\\d{1,6})?$' } as const;
const TIME = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' } as const;

export const writeSetupConfig = defineUseCase<SetupConfigInput, { written: string[]; overlay: string; restartNeeded: true }>({
  name: 'comms_setup_write_config',
  title: 'Write setup settings',
  description:
    'Setup step: write the settings the wizard chose into the setup overlay (read at the next start, over the embedded defaults): ' +
    'the public URL, the default tier\'s spending caps per day and month (its other limits kept), and quiet hours on or off with their window.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      publicBaseUrl: { type: 'string', pattern: '^https?://', maxLength: 2000 },
      spendPerDay: AMOUNT,
      spendPerMonth: AMOUNT,
      quietHours: {
        type: 'object', additionalProperties: false, required: ['enabled'],
        properties: { enabled: { type: 'boolean' }, start: TIME, end: TIME },
      },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['written', 'overlay', 'restartNeeded'],
    properties: { written: { type: 'array', items: { type: 'string' } }, overlay: { type: 'string' }, restartNeeded: { type: 'boolean', const: true } },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/config' },
  async run(ctx, input) {
    await openSetup(ctx);
    const choices: SetupChoices = {};
    if (input.publicBaseUrl !== undefined) choices.publicBaseUrl = publicBaseUrl(input.publicBaseUrl);
    if (input.spendPerDay !== undefined || input.spendPerMonth !== undefined) {
      // The tier is written whole: a tier in config replaces the built-in one, which would lose its other limits.
      const { defaultTier, tiers } = ctx.ports.settings.usage;
      const tier = tiers[defaultTier] ?? {};
      const spend = { ...tier.spend, ...(input.spendPerDay !== undefined ? { perDay: input.spendPerDay } : {}), ...(input.spendPerMonth !== undefined ? { perMonth: input.spendPerMonth } : {}) };
      choices.defaultTier = { name: defaultTier, limits: { ...tier, spend } };
    }
    if (input.quietHours) choices.quietHours = input.quietHours;
    const record = await ctx.ports.setup.store.write({ choices });
    return { written: Object.keys(choices), overlay: record.location, restartNeeded: true };
  },
});
