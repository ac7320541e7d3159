import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import type { JsonSchema } from '../../ports/json-schema.js';
import { MockStt, type MockSttOptions } from './mock-stt.js';

const mockSttOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Mock STT options',
  type: 'object',
  additionalProperties: false,
  properties: {
    phrases: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 500 },
      minItems: 1,
      description: 'What the demo recogniser reports, one phrase per utterance it detects in the audio, in turn.',
    },
    endpointingMs: { type: 'integer', minimum: 20, maximum: 5000, default: 300, description: 'Silence that ends an utterance.' },
  },
};

/** Demo mode: utterances found by their loudness, heard as scripted phrases; no provider, no key. */
export default definePlugin<'stt', MockSttOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'stt',
  id: 'mock',
  optionsSchema: mockSttOptionsSchema,
  async create(options) {
    return new MockStt(options);
  },
});
