import { SETUP_CHANNELS, type SetupChannel, type SetupProviderChoice } from '../../ports/setup.js';
import { defineUseCase } from '../use-case.js';
import { openSetup } from './setup-access.js';

interface ProviderChoicesOutput {
  channels: Array<{ channel: SetupChannel; choices: SetupProviderChoice[] }>;
}

const fieldSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'required', 'secret', 'type', 'description'],
  properties: {
    name: { type: 'string' },
    required: { type: 'boolean' },
    secret: { type: 'boolean' },
    type: { type: 'string' },
    description: { type: ['string', 'null'] },
  },
} as const;

export const listSetupProviders = defineUseCase<Record<string, never>, ProviderChoicesOutput>({
  name: 'comms_setup_list_providers',
  title: 'Providers setup offers',
  description:
    'Setup step: per channel, the providers comms_setup_provider accepts (the built-in adapters; `mock` is the demo adapter) ' +
    'and the options each one\'s adapter takes (required, secret, type, description): what to put in `credentials`.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['channels'],
    properties: {
      channels: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['channel', 'choices'],
          properties: {
            channel: { type: 'string', enum: [...SETUP_CHANNELS] },
            choices: {
              type: 'array',
              items: {
                type: 'object', additionalProperties: false, required: ['provider', 'demo', 'fields'],
                properties: { provider: { type: 'string' }, demo: { type: 'boolean' }, fields: { type: 'array', items: fieldSchema } },
              },
            },
          },
        },
      },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'GET', path: '/setup/providers' },
  async run(ctx) {
    await openSetup(ctx);
    const { catalog } = ctx.ports.setup;
    return { channels: await Promise.all(SETUP_CHANNELS.map(async (channel) => ({ channel, choices: await catalog.choices(channel) }))) };
  },
});
