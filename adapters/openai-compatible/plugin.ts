import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { OpenAiCompatibleBrain } from './openai-compatible-brain.js';
import { openAiCompatibleBrainOptionsSchema, type OpenAiCompatibleBrainOptions } from './openai-compatible-options.js';

/** A model behind any OpenAI-compatible Chat Completions server answers each turn of a voice call. */
export default definePlugin<'brain', OpenAiCompatibleBrainOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'brain',
  id: 'openai-compatible',
  optionsSchema: openAiCompatibleBrainOptionsSchema,
  secrets: ['apiKey'],
  async create(options, ctx) {
    return new OpenAiCompatibleBrain(options, ctx);
  },
});
