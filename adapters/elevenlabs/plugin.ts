import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { ElevenLabsTts } from './elevenlabs-tts.js';
import { elevenLabsOptionsSchema, type ElevenLabsOptions } from './elevenlabs-options.js';

export default definePlugin<'tts', ElevenLabsOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'tts',
  id: 'elevenlabs',
  optionsSchema: elevenLabsOptionsSchema,
  secrets: ['apiKey'],
  async create(options, ctx) {
    return new ElevenLabsTts(options, ctx);
  },
});
