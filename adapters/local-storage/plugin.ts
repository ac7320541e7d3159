import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { LocalStorage } from './local-storage.js';
import { localStorageOptionsSchema, type LocalStorageOptions } from './local-storage-options.js';

/** Files on this server's disk, served to providers through signed `/storage/*` URLs. */
export default definePlugin<'storage', LocalStorageOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'storage',
  id: 'local',
  optionsSchema: localStorageOptionsSchema,
  secrets: ['signingSecret'],
  async create(options, ctx) {
    return LocalStorage.open(options, ctx);
  },
});
