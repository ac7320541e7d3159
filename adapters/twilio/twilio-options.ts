import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_TWILIO_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_TWILIO_TIMEOUT_MS = 10_000;

export interface TwilioOptions {
  accountSid: string;
  /** Verifies webhook signatures always; authenticates REST calls too unless an API key is given. */
  authToken: string;
  /** API key SID (SK…) that authenticates REST calls instead of the auth token (a standard or restricted key). */
  apiKeySid?: string;
  /** The API key's secret, shown once by Twilio when the key is created. */
  apiKeySecret?: string;
  /** Another origin for every Twilio API call: a regional edge, a proxy, or a simulator in tests. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Sends through a Messaging Service (sender pool, opt-out handling, link shortening) as well as `From`. */
  messagingServiceSid?: string;
}

export type ResolvedTwilioOptions = Required<Omit<TwilioOptions, 'messagingServiceSid' | 'apiKeySid' | 'apiKeySecret'>>
  & Pick<TwilioOptions, 'messagingServiceSid'> & { rest: TwilioRestCredentials };

/** Who REST calls authenticate as (HTTP Basic): the account and its auth token, or an API key and its secret. */
export interface TwilioRestCredentials {
  username: string;
  password: string;
  /** `api key SK12…` or `auth token`, for messages (no secret). */
  kind: 'api-key' | 'auth-token';
}

export const twilioOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Twilio telephony options',
  type: 'object',
  additionalProperties: false,
  required: ['accountSid', 'authToken'],
  // An API key needs its secret, and a secret its key.
  dependentRequired: { apiKeySid: ['apiKeySecret'], apiKeySecret: ['apiKeySid'] },
  properties: {
    accountSid: {
      type: 'string',
      pattern: '^AC[0-9a-fA-F]{32}$',
      description: 'Account SID (AC…), from the Twilio console. Usually ${TWILIO_ACCOUNT_SID}.',
    },
    authToken: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'Auth token: verifies webhook signatures (always needed), and authenticates API calls unless apiKeySid is set. Usually ${TWILIO_AUTH_TOKEN}.',
    },
    apiKeySid: {
      type: 'string',
      pattern: '^SK[0-9a-fA-F]{32}$',
      description: 'API key SID (SK…): REST calls authenticate with this key and apiKeySecret instead of the auth token. Webhook signatures still use authToken. Usually ${TWILIO_API_KEY_SID}.',
    },
    apiKeySecret: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'Secret of the API key (shown once when the key is created). Usually ${TWILIO_API_KEY_SECRET}.',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_TWILIO_BASE_URL,
      description: 'Origin of the Twilio REST API; set it for a regional edge, a proxy or a local simulator.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: DEFAULT_TWILIO_TIMEOUT_MS,
      description: 'How long to wait for Twilio to answer a request, in milliseconds.',
    },
    messagingServiceSid: {
      type: 'string',
      pattern: '^MG[0-9a-fA-F]{32}$',
      description: 'Optional Messaging Service SID (MG…) to send through.',
    },
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveTwilioOptions(options: TwilioOptions): ResolvedTwilioOptions {
  return {
    accountSid: options.accountSid,
    authToken: options.authToken,
    rest: options.apiKeySid && options.apiKeySecret
      ? { username: options.apiKeySid, password: options.apiKeySecret, kind: 'api-key' }
      : { username: options.accountSid, password: options.authToken, kind: 'auth-token' },
    baseUrl: (options.baseUrl ?? DEFAULT_TWILIO_BASE_URL).replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_TWILIO_TIMEOUT_MS,
    messagingServiceSid: options.messagingServiceSid,
  };
}

/** Every secret of the options, scrubbed from anything Twilio's answers put into an error message. */
export function twilioSecrets(options: ResolvedTwilioOptions): string[] {
  return [...new Set([options.authToken, options.rest.password])];
}
