import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { DeepgramStt } from './deepgram-stt.js';
import { deepgramOptionsSchema, type DeepgramOptions } from './deepgram-options.js';

export default definePlugin<'stt', DeepgramOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'stt',
  id: 'deepgram',
  optionsSchema: deepgramOptionsSchema,
  secrets: ['apiKey'],
  async create(options, ctx) {
    return new DeepgramStt(options, ctx);
  },
});
