import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { SendGridEmail } from './sendgrid-email.js';
import { sendGridOptionsSchema, type SendGridOptions } from './sendgrid-options.js';

export default definePlugin<'email', SendGridOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'email',
  id: 'sendgrid',
  optionsSchema: sendGridOptionsSchema,
  secrets: ['apiKey'],
  async create(options, ctx) {
    return new SendGridEmail(options, ctx);
  },
});
