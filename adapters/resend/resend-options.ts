import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_RESEND_BASE_URL = 'https://api.resend.com';
export const DEFAULT_RESEND_TIMEOUT_MS = 10_000;

export interface ResendOptions {
  apiKey: string;
  /** Another origin for every Resend API call: a proxy, or a simulator in tests. */
  baseUrl?: string;
  /** Signing secret (`whsec_…`) of the Resend webhook endpoint; without it no webhook verifies. */
  webhookSecret?: string;
  /** Signing secrets of per-agent webhook endpoints, by agent id: such an agent's URL verifies with its own only. */
  agentWebhookSecrets?: Record<string, string>;
  timeoutMs?: number;
}

export type ResolvedResendOptions = Required<Omit<ResendOptions, 'webhookSecret'>> & { webhookSecret: string | null };

const SIGNING_SECRET_PATTERN = '^whsec_[A-Za-z0-9+/]+={0,2}$';

export const resendOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Resend email options',
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: {
    apiKey: {
      type: 'string',
      minLength: 1,
      writeOnly: true,
      description: 'Resend API key (re_…) with sending access, and full access to read received mail. Usually ${RESEND_API_KEY}.',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      default: DEFAULT_RESEND_BASE_URL,
      description: 'Origin of the Resend API; set it for a proxy or a local simulator.',
    },
    webhookSecret: {
      type: 'string',
      pattern: SIGNING_SECRET_PATTERN,
      writeOnly: true,
      description: 'Signing secret of the webhook endpoint (whsec_…), from the Resend dashboard. Required to receive mail and delivery events. Usually ${RESEND_WEBHOOK_SECRET}.',
    },
    agentWebhookSecrets: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_-]{1,64}$' },
      additionalProperties: { type: 'string', pattern: SIGNING_SECRET_PATTERN },
      writeOnly: true,
      description: 'Signing secrets of per-agent webhook endpoints, by agent id ({ agt_…: whsec_… }). Resend signs each endpoint with its own secret, '
        + 'so a webhook of one agent\'s endpoint cannot verify on another\'s URL. Agents not listed use webhookSecret.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: DEFAULT_RESEND_TIMEOUT_MS,
      description: 'How long to wait for Resend to answer a request, in milliseconds.',
    },
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveResendOptions(options: ResendOptions): ResolvedResendOptions {
  return {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? DEFAULT_RESEND_BASE_URL).replace(/\/+$/, ''),
    webhookSecret: options.webhookSecret ?? null,
    agentWebhookSecrets: options.agentWebhookSecrets ?? {},
    timeoutMs: options.timeoutMs ?? DEFAULT_RESEND_TIMEOUT_MS,
  };
}
