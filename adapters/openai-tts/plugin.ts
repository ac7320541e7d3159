import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { OpenAiTts } from './openai-tts.js';
import { openAiTtsOptionsSchema, type OpenAiTtsOptions } from './openai-tts-options.js';

/** OpenAI's voices, or any OpenAI-compatible speech server (Kokoro-FastAPI, LocalAI, Speaches …) through `baseUrl`. */
export default definePlugin<'tts', OpenAiTtsOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'tts',
  id: 'openai',
  optionsSchema: openAiTtsOptionsSchema,
  secrets: ['apiKey'],
  async create(options, ctx) {
    return new OpenAiTts(options, ctx);
  },
});
