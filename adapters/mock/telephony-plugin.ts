import type { JsonSchema } from '../../ports/json-schema.js';
import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { DEFAULT_MOCK_WEBHOOK_SECRET, MockTelephony, type MockTelephonyOptions } from './mock-telephony.js';

const optionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Demo (mock) telephony options',
  type: 'object',
  additionalProperties: false,
  properties: {
    webhookSecret: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_MOCK_WEBHOOK_SECRET,
      description: 'Key of the demo webhook signature: x-mock-signature = hex HMAC-SHA256(key, url + raw body).',
    },
    statusDelayMs: {
      type: 'integer',
      minimum: 0,
      maximum: 60_000,
      default: 0,
      description: 'Pause between the simulated "sent" and "delivered" status reports, in milliseconds.',
    },
  },
};

export default definePlugin<'telephony', MockTelephonyOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'telephony',
  id: 'mock',
  optionsSchema,
  secrets: ['webhookSecret'],
  async create(options, ctx) {
    return new MockTelephony(options, ctx);
  },
});
