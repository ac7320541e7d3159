import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { twilioOptionsSchema, type TwilioOptions } from './twilio-options.js';
import { TwilioWhatsApp } from './twilio-whatsapp.js';

/** The same account options as the Twilio telephony plugin: one Twilio account can serve SMS, calls and WhatsApp. */
export default definePlugin<'whatsapp', TwilioOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'whatsapp',
  id: 'twilio',
  optionsSchema: { ...twilioOptionsSchema, title: 'Twilio WhatsApp options' },
  secrets: ['authToken', 'apiKeySecret'],
  async create(options, ctx) {
    return new TwilioWhatsApp(options, ctx);
  },
});
