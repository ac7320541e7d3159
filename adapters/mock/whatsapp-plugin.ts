import type { JsonSchema } from '../../ports/json-schema.js';
import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { DEFAULT_MOCK_WHATSAPP_SECRET, MockWhatsApp, type MockWhatsAppOptions } from './mock-whatsapp.js';

const optionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Demo (mock) WhatsApp options',
  type: 'object',
  additionalProperties: false,
  properties: {
    webhookSecret: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_MOCK_WHATSAPP_SECRET,
      description: 'Key of the demo webhook signature: x-mock-signature = hex HMAC-SHA256(key, url + raw body).',
    },
    enforceCustomerWindow: {
      type: 'boolean',
      default: false,
      description: 'Refuse free-form text (TEMPLATE_REQUIRED) to contacts whose last inbound message is older than 24 hours, as WhatsApp does.',
    },
    refusedNumbers: {
      type: 'array',
      items: { type: 'string', pattern: '^\\+[1-9]\\d{1,14}$' },
      uniqueItems: true,
      default: [],
      description: 'E.164 destinations the demo provider refuses as invalid numbers, to demo that error.',
    },
  },
};

export default definePlugin<'whatsapp', MockWhatsAppOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'whatsapp',
  id: 'mock',
  optionsSchema,
  secrets: ['webhookSecret'],
  async create(options, ctx) {
    return new MockWhatsApp(options, ctx);
  },
});
