import type { JsonSchema } from '../../ports/json-schema.js';
import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { DEFAULT_MOCK_EMAIL_WEBHOOK_SECRET, MockEmail, type MockEmailOptions } from './mock-email.js';

const optionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Demo (mock) email options',
  type: 'object',
  additionalProperties: false,
  properties: {
    webhookSecret: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_MOCK_EMAIL_WEBHOOK_SECRET,
      description: 'Key of the demo webhook signature: x-mock-signature = hex HMAC-SHA256(key, url + raw body).',
    },
  },
};

export default definePlugin<'email', MockEmailOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'email',
  id: 'mock',
  optionsSchema,
  secrets: ['webhookSecret'],
  async create(options, ctx) {
    return new MockEmail(options, ctx);
  },
});
