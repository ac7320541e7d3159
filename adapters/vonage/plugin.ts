import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { VonageWhatsApp } from './vonage-whatsapp.js';
import { vonageOptionsSchema, type VonageOptions } from './vonage-options.js';

export default definePlugin<'whatsapp', VonageOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'whatsapp',
  id: 'vonage',
  optionsSchema: vonageOptionsSchema,
  secrets: ['apiSecret', 'privateKey', 'signatureSecret'],
  async create(options, ctx) {
    return new VonageWhatsApp(options, ctx);
  },
});
