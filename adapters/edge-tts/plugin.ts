import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { EdgeTts } from './edge-tts.js';
import { edgeTtsOptionsSchema, type EdgeTtsOptions } from './edge-tts-options.js';

/** Free neural voices without an account (Edge's Read Aloud service); MP3 only. */
export default definePlugin<'tts', EdgeTtsOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'tts',
  id: 'edge',
  optionsSchema: edgeTtsOptionsSchema,
  async create(options, ctx) {
    return new EdgeTts(options, ctx);
  },
});
