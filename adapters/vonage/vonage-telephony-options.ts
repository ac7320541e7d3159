import type { JsonSchema } from '../../ports/json-schema.js';
import { DEFAULT_VONAGE_API_HOST, DEFAULT_VONAGE_TIMEOUT_MS } from './vonage-options.js';
import { loadPrivateKey } from './vonage-private-key.js';

export const DEFAULT_VONAGE_REST_HOST = 'https://rest.nexmo.com';
export const DEFAULT_VONAGE_CURRENCY = 'EUR';

/** How the account signs SMS API webhooks (dashboard → settings → signature method). */
export const SMS_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type SmsSignatureMethod = (typeof SMS_SIGNATURE_METHODS)[number];

export interface VonageTelephonyOptions {
  /** API key and secret: the SMS API authenticates with them. */
  apiKey: string;
  apiSecret: string;
  /** Verifies the `sig` of SMS API webhooks and the JWT of Voice and Messages API webhooks. */
  signatureSecret: string;
  signatureMethod?: SmsSignatureMethod;
  /** Application id and private key (PEM text or a file path): the Voice API needs them; without them, SMS only. */
  applicationId?: string;
  privateKey?: string;
  restHost?: string;
  apiHost?: string;
  timeoutMs?: number;
  /** The account's currency: Vonage reports call prices without one. */
  currency?: string;
}

export interface ResolvedVonageTelephonyOptions {
  apiKey: string;
  apiSecret: string;
  signatureSecret: string;
  signatureMethod: SmsSignatureMethod;
  /** Null: no application configured, so no calls. */
  application: { applicationId: string; privateKey: string } | null;
  restHost: string;
  apiHost: string;
  timeoutMs: number;
  currency: string;
  /** Every credential, to scrub from anything that could reach an error message or a log. */
  secrets: readonly string[];
}

const HOST_PATTERN = '^https?://[^\\s/]+(/[^\\s]*)?$';

export const vonageTelephonyOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Vonage telephony options (SMS API, Voice API)',
  type: 'object',
  additionalProperties: false,
  required: ['apiKey', 'apiSecret', 'signatureSecret'],
  dependentRequired: { applicationId: ['privateKey'], privateKey: ['applicationId'] },
  properties: {
    apiKey: { type: 'string', minLength: 1, description: 'API key of the Vonage account (dashboard). Usually ${VONAGE_API_KEY}.' },
    apiSecret: {
      type: 'string', minLength: 1, writeOnly: true,
      description: 'API secret of the account: authenticates SMS API calls. Usually ${VONAGE_API_SECRET}.',
    },
    signatureSecret: {
      type: 'string', minLength: 1, writeOnly: true,
      description: 'Signature secret of the account (dashboard → settings): verifies the `sig` of signed SMS webhooks and the JWT of Voice and Messages API webhooks, and signs the per-call token of the voice socket URL given to Vonage for live calls. Usually ${VONAGE_SIGNATURE_SECRET}.',
    },
    signatureMethod: {
      enum: [...SMS_SIGNATURE_METHODS],
      default: 'md5hash',
      description: 'Signature method of the account, as chosen in the dashboard (md5hash is Vonage\'s default; sha256 or sha512 is better).',
    },
    applicationId: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'Id of the Vonage application with voice enabled (voice messages, and live conversations over a WebSocket leg of 16 kHz linear PCM with `voice.transport: media-stream`); without it the adapter sends and receives SMS only. Usually ${VONAGE_APPLICATION_ID}.',
    },
    privateKey: {
      type: 'string', minLength: 1, writeOnly: true,
      description: 'The application\'s private key: PEM text, or the path of the .key file (relative to the config file). Signs Voice API calls.',
    },
    restHost: {
      type: 'string', pattern: HOST_PATTERN, default: DEFAULT_VONAGE_REST_HOST,
      description: 'Origin of the SMS API; set it for a proxy or a local simulator.',
    },
    apiHost: {
      type: 'string', pattern: HOST_PATTERN, default: DEFAULT_VONAGE_API_HOST,
      description: 'Origin of the Voice API; set it for a regional host (https://api-eu.vonage.com), a proxy or a local simulator.',
    },
    timeoutMs: {
      type: 'integer', minimum: 100, maximum: 120_000, default: DEFAULT_VONAGE_TIMEOUT_MS,
      description: 'How long to wait for Vonage to answer a request, in milliseconds.',
    },
    currency: {
      type: 'string', pattern: '^[A-Z]{3}$', default: DEFAULT_VONAGE_CURRENCY,
      description: 'ISO 4217 currency of the account, in which Vonage reports call prices (it does not name it).',
    },
  },
};

/** Applies defaults and loads the key; the loader has already validated the options against the schema. */
export function resolveVonageTelephonyOptions(options: VonageTelephonyOptions, configDir: string): ResolvedVonageTelephonyOptions {
  const application = options.applicationId && options.privateKey
    ? { applicationId: options.applicationId, privateKey: loadPrivateKey(options.privateKey, configDir, 'privateKey of the vonage telephony options') }
    : null;
  const secrets = [options.apiSecret, options.signatureSecret, options.privateKey, application?.privateKey]
    .filter((s): s is string => typeof s === 'string' && s.length > 0);
  return {
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    signatureSecret: options.signatureSecret,
    signatureMethod: options.signatureMethod ?? 'md5hash',
    application,
    restHost: (options.restHost ?? DEFAULT_VONAGE_REST_HOST).replace(/\/+$/, ''),
    apiHost: (options.apiHost ?? DEFAULT_VONAGE_API_HOST).replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_VONAGE_TIMEOUT_MS,
    currency: options.currency ?? DEFAULT_VONAGE_CURRENCY,
    secrets,
  };
}
