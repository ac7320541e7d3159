import { DomainError } from '../../ports/errors.js';
import { SETUP_CHANNELS, type SetupChannel } from '../../ports/setup.js';
import { DEMO_PROVIDER } from '../demo/demo-inbound.js';
import { registerProvider } from '../providers/provider-tools.js';
import { defineUseCase } from '../use-case.js';
import { asOperator, openSetup } from './setup-access.js';

interface SetupProviderInput {
  channel: SetupChannel;
  provider: string;
  credentials?: Record<string, unknown>;
  name?: string;
}

interface SetupProviderOutput {
  channel: SetupChannel;
  provider: string;
  /** The stored credential set the channel's config section refers to; null for the demo adapter. */
  credentialsRef: string | null;
  /** What the provider answered to the check; null for the demo adapter (nothing to check). */
  verified: string | null;
  restartNeeded: true;
}

export const setupProvider = defineUseCase<SetupProviderInput, SetupProviderOutput>({
  name: 'comms_setup_provider',
  title: 'Set up a channel\'s provider',
  description:
    'Setup step: choose the provider of a channel. `mock` is the demo adapter (nothing is delivered, no credentials). Any other ' +
    'provider\'s credentials are verified live and stored encrypted exactly as comms_register_provider does (under `name`, default ' +
    '`setup-<channel>`), and the channel is configured to use them at the next start. Nothing is written when the provider refuses them.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'provider'],
    properties: {
      channel: { type: 'string', enum: [...SETUP_CHANNELS] },
      provider: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'mock (demo), twilio, vonage, resend, sendgrid, smtp …' },
      credentials: { type: 'object', minProperties: 1, description: 'The adapter\'s options (docs/PROVIDERS.md); not for mock.' },
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'Name of the stored credential set (default setup-<channel>).' },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'provider', 'credentialsRef', 'verified', 'restartNeeded'],
    properties: {
      channel: { type: 'string' },
      provider: { type: 'string' },
      credentialsRef: { type: ['string', 'null'] },
      verified: { type: ['string', 'null'] },
      restartNeeded: { type: 'boolean', const: true },
    },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'admin',
  toolset: 'agents',
  rest: { method: 'POST', path: '/setup/providers' },
  async run(ctx, input) {
    await openSetup(ctx);
    const { channel, provider } = input;
    if (provider === DEMO_PROVIDER) {
      if (input.credentials) throw new DomainError('INVALID_INPUT', 'The demo adapter takes no credentials.', 'Leave credentials out for mock.', { field: 'credentials' });
      await ctx.ports.setup.store.write({ choices: { channels: { [channel]: { provider, credentialsRef: null } } } });
      return { channel, provider, credentialsRef: null, verified: null, restartNeeded: true };
    }
    if (!input.credentials) {
      throw new DomainError('INVALID_INPUT', `credentials are required for ${provider}.`, `Give the options of the ${provider} adapter (docs/PROVIDERS.md).`, { field: 'credentials' });
    }
    // The very use case of comms_register_provider: same verification, encryption and audit.
    const stored = await registerProvider.run(asOperator(ctx), { name: input.name ?? `setup-${channel}`, provider, port: channel, credentials: input.credentials });
    await ctx.ports.setup.store.write({ choices: { channels: { [channel]: { provider: stored.provider, credentialsRef: stored.name } } } });
    return { channel, provider: stored.provider, credentialsRef: stored.name, verified: stored.verified, restartNeeded: true };
  },
});
