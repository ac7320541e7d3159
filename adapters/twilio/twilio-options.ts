import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_TWILIO_BASE_URL = 'https://api.twilio.com';
export const DEFAULT_TWILIO_TIMEOUT_MS = 10_000;

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** Another origin for every Twilio API call: a regional edge, a proxy, or a simulator in tests. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Sends through a Messaging Service (sender pool, opt-out handling, link shortening) as well as `From`. */
  messagingServiceSid?: string;
}

export type ResolvedTwilioOptions = Required<Omit<TwilioOptions, 'messagingServiceSid'>> & Pick<TwilioOptions, 'messagingServiceSid'>;

export const twilioOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Twilio telephony options',
  type: 'object',
  additionalProperties: false,
  required: ['accountSid', 'authToken'],
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
      description: 'Auth token: authenticates API calls and verifies webhook signatures. Usually ${TWILIO_AUTH_TOKEN}.',
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
    baseUrl: (options.baseUrl ?? DEFAULT_TWILIO_BASE_URL).replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_TWILIO_TIMEOUT_MS,
    messagingServiceSid: options.messagingServiceSid,
  };
}
