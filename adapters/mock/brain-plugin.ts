import type { JsonSchema } from '../../ports/json-schema.js';
import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { MockBrain, type MockBrainOptions } from './mock-brain.js';

const optionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Demo (mock) brain options',
  type: 'object',
  additionalProperties: false,
  properties: {
    replies: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 2000 },
      minItems: 1,
      description: 'Replies given in turn, cycling; "{heard}" is replaced by the caller\'s last words. Default: a demo line that echoes them.',
    },
    tokenDelayMs: {
      type: 'integer',
      minimum: 0,
      maximum: 10_000,
      default: 0,
      description: 'Pause before each streamed word, in milliseconds.',
    },
  },
};

/** Demo mode: a voice agent that answers without a model or a key. */
export default definePlugin<'brain', MockBrainOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'brain',
  id: 'mock',
  optionsSchema,
  async create(options) {
    return new MockBrain(options);
  },
});
