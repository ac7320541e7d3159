import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { ResendEmail } from './resend-email.js';
import { resendOptionsSchema, type ResendOptions } from './resend-options.js';

export default definePlugin<'email', ResendOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'email',
  id: 'resend',
  optionsSchema: resendOptionsSchema,
  secrets: ['apiKey', 'webhookSecret', 'agentWebhookSecrets'],
  async create(options, ctx) {
    return new ResendEmail(options, ctx);
  },
});
