import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_SENDGRID_BASE_URL = 'https://api.sendgrid.com';
export const DEFAULT_SENDGRID_TIMEOUT_MS = 10_000;
export const DEFAULT_SENDGRID_CATEGORIES = ['agentos-comms'];

export interface SendGridOptions {
  apiKey: string;
  /** Another origin for the v3 API: the EU region (https://api.eu.sendgrid.com), a proxy, or a simulator. */
  baseUrl?: string;
  timeoutMs?: number;
  /** The Event Webhook's verification key (Mail Settings → Signed Event Webhook), base64 or PEM. */
  eventWebhookPublicKey?: string;
  /** How Inbound Parse posts authenticate: basic auth in the parse URL, and/or a `?token=` secret in it. */
  inboundParse?: { username?: string; password?: string; token?: string };
  /** Categories every sent mail is tagged with (SendGrid statistics). */
  categories?: string[];
}

export interface ResolvedSendGridOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  eventWebhookPublicKey: string | null;
  inboundParse: { basicAuth: { username: string; password: string } | null; token: string | null };
  categories: string[];
  /** Every credential, to scrub from anything that could reach an error message or a log. */
  secrets: readonly string[];
}

export const sendGridOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'SendGrid email options',
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: {
    apiKey: {
      type: 'string', minLength: 1, writeOnly: true,
      description: 'SendGrid API key (SG.…) with Mail Send access. Usually ${SENDGRID_API_KEY}.',
    },
    baseUrl: {
      type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$', default: DEFAULT_SENDGRID_BASE_URL,
      description: 'Origin of the SendGrid v3 API; set it for the EU region (https://api.eu.sendgrid.com), a proxy or a local simulator.',
    },
    timeoutMs: {
      type: 'integer', minimum: 100, maximum: 120_000, default: DEFAULT_SENDGRID_TIMEOUT_MS,
      description: 'How long to wait for SendGrid to answer a request, in milliseconds.',
    },
    eventWebhookPublicKey: {
      type: 'string', minLength: 1,
      description: 'Verification key of the signed Event Webhook (Settings → Mail Settings → Event Webhook → Signature Verification), as shown there (base64) or PEM. Required to receive delivery events. Usually ${SENDGRID_EVENT_WEBHOOK_PUBLIC_KEY}.',
    },
    inboundParse: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      dependentRequired: { username: ['password'], password: ['username'] },
      description: 'How Inbound Parse posts are authenticated, since SendGrid does not sign them: basic auth written into the parse URL (https://user:password@host/webhooks/email) and/or a secret token in it (…/webhooks/email?token=…). Required to receive mail.',
      properties: {
        username: { type: 'string', minLength: 1, description: 'Basic-auth user name of the parse URL.' },
        password: { type: 'string', minLength: 12, writeOnly: true, description: 'Basic-auth password of the parse URL. Usually ${SENDGRID_PARSE_PASSWORD}.' },
        token: { type: 'string', minLength: 16, writeOnly: true, description: 'Secret the parse URL carries as ?token=…. Usually ${SENDGRID_PARSE_TOKEN}.' },
      },
    },
    categories: {
      type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 255 }, default: DEFAULT_SENDGRID_CATEGORIES,
      description: 'Categories every sent mail is tagged with, for SendGrid\'s statistics (at most 10).',
    },
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveSendGridOptions(options: SendGridOptions): ResolvedSendGridOptions {
  const parse = options.inboundParse ?? {};
  const basicAuth = parse.username && parse.password ? { username: parse.username, password: parse.password } : null;
  return {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? DEFAULT_SENDGRID_BASE_URL).replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_SENDGRID_TIMEOUT_MS,
    eventWebhookPublicKey: options.eventWebhookPublicKey ?? null,
    inboundParse: { basicAuth, token: parse.token ?? null },
    categories: options.categories ?? DEFAULT_SENDGRID_CATEGORIES,
    secrets: [options.apiKey, parse.password, parse.token].filter((s): s is string => typeof s === 'string' && s.length > 0),
  };
}
