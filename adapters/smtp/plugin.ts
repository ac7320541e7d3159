import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { SmtpEmail } from './smtp-email.js';
import { smtpOptionsSchema, type SmtpOptions } from './smtp-options.js';

export default definePlugin<'email', SmtpOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'email',
  id: 'smtp',
  optionsSchema: smtpOptionsSchema,
  // `pass` sits inside `auth`: both names are listed so that either redaction style hides it.
  secrets: ['auth', 'pass'],
  async create(options, ctx) {
    const email = new SmtpEmail(options, ctx);
    await email.start();
    return email;
  },
});
