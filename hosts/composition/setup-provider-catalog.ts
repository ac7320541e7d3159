import { DEMO_PROVIDER } from '../../core/demo/demo-inbound.js';
import { BUILT_IN_PLUGINS } from '../../plugins/built-in.js';
import { providerOptionFields } from '../../plugins/provider-option-fields.js';
import type { SetupProviderCatalog } from '../../ports/setup.js';

/** Setup offers the built-in adapters of each channel: a name from the wizard never loads a module from disk. */
export const builtInProviderCatalog: SetupProviderCatalog = {
  async choices(channel) {
    return Promise.all(Object.keys(BUILT_IN_PLUGINS[channel]).map(async (provider) => ({
      provider,
      demo: provider === DEMO_PROVIDER,
      // The demo adapter's options (fault switches, webhook secret) are not credentials: setup asks for none.
      fields: provider === DEMO_PROVIDER ? [] : ((await providerOptionFields(channel, provider)) ?? []),
    })));
  },
};
