import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import type { JsonSchema } from '../../ports/json-schema.js';
import { DEFAULT_MOCK_MAX_TEXT_LENGTH, MockTts, type MockTtsOptions } from './mock-tts.js';

const mockTtsOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Mock TTS options',
  type: 'object',
  additionalProperties: false,
  properties: {
    voices: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 100 },
      minItems: 1,
      description: 'Voice ids the mock accepts; the first is the default. Any other voice is refused with UNKNOWN_VOICE.',
    },
    maxTextLength: {
      type: 'integer',
      minimum: 1,
      maximum: 100_000,
      default: DEFAULT_MOCK_MAX_TEXT_LENGTH,
      description: 'Longest text accepted in one request.',
    },
  },
};

/** Demo mode: silent but valid audio in every format, no provider, no key. */
export default definePlugin<'tts', MockTtsOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'tts',
  id: 'mock',
  optionsSchema: mockTtsOptionsSchema,
  async create(options) {
    return new MockTts(options);
  },
});
