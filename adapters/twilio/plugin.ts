import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { TwilioTelephony } from './twilio-telephony.js';
import { twilioOptionsSchema, type TwilioOptions } from './twilio-options.js';

export default definePlugin<'telephony', TwilioOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'telephony',
  id: 'twilio',
  optionsSchema: twilioOptionsSchema,
  secrets: ['authToken', 'apiKeySecret'],
  async create(options, ctx) {
    return new TwilioTelephony(options, ctx);
  },
});
