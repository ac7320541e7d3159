import { BUILT_IN_PLUGINS } from '../../plugins/built-in.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import { canCheckCredentials } from '../../ports/credential-check.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { PluginContext, PortName } from '../../ports/plugin.js';
import type { ProviderVerifier, VerifiedCredentials } from '../../ports/provider-credentials.js';

/** Where a provider name is looked for when no port is given: channels first (twilio → telephony, not whatsapp). */
const PORT_ORDER: readonly PortName[] = ['telephony', 'email', 'whatsapp', 'tts', 'stt', 'brain', 'storage'];
/** Adapters with nothing to verify: they accept any options and talk to no provider. */
const NOT_PROVIDERS = new Set(['mock', 'local']);

function knownProviders(): string {
  return [...new Set(PORT_ORDER.flatMap((port) => Object.keys(BUILT_IN_PLUGINS[port])))].filter((id) => !NOT_PROVIDERS.has(id)).sort().join(', ');
}

function invalid(message: string, nextStep: string, details: Record<string, string> = {}): DomainError {
  return new DomainError('INVALID_INPUT', message, nextStep, details);
}

/**
 * Verifies credentials the way `doctor` does: the built-in adapter of that provider is built with them as
 * its options (validated against its options schema) and makes its free authenticated read, then is closed.
 * Only built-in adapters: a name from a tool call never loads a module from disk.
 */
export function pluginProviderVerifier(context: (port: PortName) => PluginContext): ProviderVerifier {
  return {
    async verify({ provider, port: wanted, credentials }): Promise<VerifiedCredentials> {
      const port = wanted ? (wanted as PortName) : PORT_ORDER.find((p) => BUILT_IN_PLUGINS[p][provider]);
      if (!port || !BUILT_IN_PLUGINS[port]?.[provider] || NOT_PROVIDERS.has(provider)) {
        throw invalid(`"${provider}" is not a provider whose credentials can be stored${wanted ? ` for ${wanted}` : ''}.`,
          `Use one of: ${knownProviders()}.`, { field: 'provider' });
      }
      let adapter: { port: unknown };
      try {
        adapter = await loadPlugin(port, { use: provider, options: credentials, optionsPath: 'credentials' }, context(port));
      } catch (err) {
        // The adapter's option errors name fields, never values: safe to pass on as the caller's mistake.
        if (isDomainError(err) && err.code === 'PLUGIN_INVALID') throw invalid(err.message, `Give the options of the ${provider} ${port} adapter (docs/PROVIDERS.md).`, { field: 'credentials' });
        throw err;
      }
      try {
        if (!canCheckCredentials(adapter.port)) {
          throw invalid(`The ${provider} ${port} adapter cannot check credentials without sending, so they cannot be verified.`,
            'Configure this provider in the config file instead.', { field: 'provider' });
        }
        return { provider, port, detail: await adapter.port.checkCredentials() };
      } finally {
        await (adapter.port as { close?(): Promise<void> }).close?.();
      }
    },
  };
}
