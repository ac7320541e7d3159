import type { PortName } from '../ports/plugin.js';

type ModuleLoader = () => Promise<{ default: unknown }>;

/**
 * Built-in adapters by port and short name. Loaded lazily, so an unused vendor SDK is never imported.
 */
export const BUILT_IN_PLUGINS: { readonly [P in PortName]: Readonly<Record<string, ModuleLoader>> } = {
  db: {
    sqlite: () => import('../adapters/mikro-orm/sqlite-plugin.js'),
    postgresql: () => import('../adapters/mikro-orm/postgresql-plugin.js'),
  },
  telephony: {
    twilio: () => import('../adapters/twilio/plugin.js'),
    vonage: () => import('../adapters/vonage/telephony-plugin.js'),
    mock: () => import('../adapters/mock/telephony-plugin.js'),
  },
  email: {
    resend: () => import('../adapters/resend/plugin.js'),
    smtp: () => import('../adapters/smtp/plugin.js'),
    sendgrid: () => import('../adapters/sendgrid/plugin.js'),
    mock: () => import('../adapters/mock/email-plugin.js'),
  },
  whatsapp: {
    twilio: () => import('../adapters/twilio/whatsapp-plugin.js'),
    vonage: () => import('../adapters/vonage/plugin.js'),
    mock: () => import('../adapters/mock/whatsapp-plugin.js'),
  },
  tts: {
    elevenlabs: () => import('../adapters/elevenlabs/plugin.js'),
    edge: () => import('../adapters/edge-tts/plugin.js'),
    espeak: () => import('../adapters/espeak/plugin.js'),
    openai: () => import('../adapters/openai-tts/plugin.js'),
    mock: () => import('../adapters/mock/tts-plugin.js'),
  },
  storage: {
    local: () => import('../adapters/local-storage/plugin.js'),
    s3: () => import('../adapters/s3/plugin.js'),
  },
  brain: {
    anthropic: () => import('../adapters/anthropic/plugin.js'),
    'openai-compatible': () => import('../adapters/openai-compatible/plugin.js'),
    'agent-callback': () => import('../adapters/agent-callback/plugin.js'),
    mock: () => import('../adapters/mock/brain-plugin.js'),
  },
  stt: {
    deepgram: () => import('../adapters/deepgram/plugin.js'),
    mock: () => import('../adapters/mock/stt-plugin.js'),
  },
};
