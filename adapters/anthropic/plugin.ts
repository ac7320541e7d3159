import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { AnthropicBrain } from './anthropic-brain.js';
import { anthropicBrainOptionsSchema, type AnthropicBrainOptions } from './anthropic-options.js';

/** Claude answers each turn of a voice call, streamed token by token. */
export default definePlugin<'brain', AnthropicBrainOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'brain',
  id: 'anthropic',
  optionsSchema: anthropicBrainOptionsSchema,
  secrets: ['apiKey'],
  async create(options, ctx) {
    return new AnthropicBrain(options, ctx);
  },
});
