import { DomainError } from '../../ports/errors.js';
import type { JsonSchema } from '../../ports/json-schema.js';
import { loadPrivateKey } from './vonage-private-key.js';

export const DEFAULT_VONAGE_API_HOST = 'https://api.nexmo.com';
export const DEFAULT_VONAGE_TIMEOUT_MS = 10_000;
export const DEFAULT_TEMPLATE_LANGUAGE = 'en_US';

export interface VonageOptions {
  /** API key and secret: Basic auth for the Messages API. Used when no application key is configured. */
  apiKey?: string;
  apiSecret?: string;
  /** Application id and its private key (PEM text, or a file path): JWT auth, preferred by Vonage. */
  applicationId?: string;
  privateKey?: string;
  /** Verifies Vonage's signed webhooks (HS256 JWT in `Authorization`). */
  signatureSecret: string;
  /** Origin of the Messages API: a regional host (https://api-eu.vonage.com), a proxy, or a simulator. */
  apiHost?: string;
  timeoutMs?: number;
  /** Language of the approved templates (WhatsApp language code), since the port carries none. */
  templateLanguage?: string;
}

export type VonageCredentials =
  | { kind: 'jwt'; applicationId: string; privateKey: string }
  | { kind: 'basic'; apiKey: string; apiSecret: string };

export interface ResolvedVonageOptions {
  credentials: VonageCredentials;
  signatureSecret: string;
  apiHost: string;
  timeoutMs: number;
  templateLanguage: string;
  /** Every credential, to scrub from anything that could reach an error message or a log. */
  secrets: readonly string[];
}

export const vonageOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Vonage WhatsApp options (Messages API v1)',
  type: 'object',
  additionalProperties: false,
  required: ['signatureSecret'],
  anyOf: [
    { required: ['applicationId', 'privateKey'] },
    { required: ['apiKey', 'apiSecret'] },
  ],
  dependentRequired: {
    apiKey: ['apiSecret'],
    apiSecret: ['apiKey'],
    applicationId: ['privateKey'],
    privateKey: ['applicationId'],
  },
  properties: {
    apiKey: {
      type: 'string',
      minLength: 1,
      description: 'API key of the Vonage account (dashboard). Usually ${VONAGE_API_KEY}.',
    },
    apiSecret: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'API secret: Basic auth for the Messages API when no application key is set. Usually ${VONAGE_API_SECRET}.',
    },
    applicationId: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'Id of the Vonage application the WhatsApp number is linked to. Usually ${VONAGE_APPLICATION_ID}.',
    },
    privateKey: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'The application\'s private key: PEM text, or the path of the .key file (relative to the config file). Signs JWTs for API calls.',
    },
    signatureSecret: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'Signature secret of the account (dashboard → settings): verifies the JWT Vonage puts on every webhook. Usually ${VONAGE_SIGNATURE_SECRET}.',
    },
    apiHost: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_VONAGE_API_HOST,
      description: 'Origin of the Messages API; set it for a regional host (https://api-eu.vonage.com), a proxy or a local simulator.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: DEFAULT_VONAGE_TIMEOUT_MS,
      description: 'How long to wait for Vonage to answer a request, in milliseconds.',
    },
    templateLanguage: {
      type: 'string',
      pattern: '^[a-z]{2,3}(_[A-Z]{2})?$',
      default: DEFAULT_TEMPLATE_LANGUAGE,
      description: 'WhatsApp language code of the approved templates that are sent (en, en_US, de, pt_BR …).',
    },
  },
};

function configInvalid(message: string, nextStep: string): DomainError {
  return new DomainError('CONFIG_INVALID', message, nextStep, { port: 'whatsapp', plugin: 'vonage' });
}

/** Applies defaults and loads the key; the loader has already validated the options against the schema. */
export function resolveVonageOptions(options: VonageOptions, configDir: string): ResolvedVonageOptions {
  let credentials: VonageCredentials;
  if (options.applicationId && options.privateKey) {
    credentials = { kind: 'jwt', applicationId: options.applicationId, privateKey: loadPrivateKey(options.privateKey, configDir, 'whatsapp.options.privateKey') };
  } else if (options.apiKey && options.apiSecret) {
    credentials = { kind: 'basic', apiKey: options.apiKey, apiSecret: options.apiSecret };
  } else {
    throw configInvalid(
      'The Vonage WhatsApp adapter needs applicationId + privateKey, or apiKey + apiSecret.',
      'Add VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY (preferred), or VONAGE_API_KEY and VONAGE_API_SECRET, to the whatsapp options.',
    );
  }
  const secrets = [options.apiSecret, options.privateKey, credentials.kind === 'jwt' ? credentials.privateKey : undefined, options.signatureSecret]
    .filter((s): s is string => typeof s === 'string' && s.length > 0);
  return {
    credentials,
    signatureSecret: options.signatureSecret,
    apiHost: (options.apiHost ?? DEFAULT_VONAGE_API_HOST).replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_VONAGE_TIMEOUT_MS,
    templateLanguage: options.templateLanguage ?? DEFAULT_TEMPLATE_LANGUAGE,
    secrets,
  };
}
