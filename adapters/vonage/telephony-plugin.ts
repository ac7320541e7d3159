import { definePlugin, PLUGIN_API_VERSION } from '../../ports/plugin.js';
import { VonageTelephony } from './vonage-telephony.js';
import { vonageTelephonyOptionsSchema, type VonageTelephonyOptions } from './vonage-telephony-options.js';

export default definePlugin<'telephony', VonageTelephonyOptions>({
  apiVersion: PLUGIN_API_VERSION,
  port: 'telephony',
  id: 'vonage',
  optionsSchema: vonageTelephonyOptionsSchema,
  secrets: ['apiSecret', 'signatureSecret', 'privateKey'],
  async create(options, ctx) {
    return new VonageTelephony(options, ctx);
  },
});
