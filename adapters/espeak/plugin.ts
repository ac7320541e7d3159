import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { EspeakTts } from './espeak-tts.js';
import { espeakOptionsSchema, type EspeakOptions } from './espeak-options.js';

/** Offline, free, robotic voices from the local espeak-ng program (apt-get install espeak-ng). WAV and μ-law. */
export default definePlugin<'tts', EspeakOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'tts',
  id: 'espeak',
  optionsSchema: espeakOptionsSchema,
  async create(options, ctx) {
    return EspeakTts.start(options, ctx);
  },
});
