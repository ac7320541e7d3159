import { isAbsolute, resolve } from 'node:path';
import type { JsonSchema } from '../../ports/json-schema.js';

export const DEFAULT_SMTP_TIMEOUT_MS = 10_000;
export const DEFAULT_INBOUND_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export interface SmtpInboundOptions {
  /** Interface to listen on. Default 0.0.0.0. */
  host?: string;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Domains we accept mail for (case-insensitive); recipients elsewhere are refused. Default: any domain. */
  allowedRecipientDomains?: string[];
  maxMessageBytes?: number;
  /** PEM key and certificate for STARTTLS, resolved against the config folder. Without both, STARTTLS is not offered. */
  tlsKeyFile?: string;
  tlsCertFile?: string;
}

export interface SmtpOptions {
  host: string;
  /** Default 465 when `secure`, else 587. */
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  /** Refuse to send unless the connection was upgraded with STARTTLS. */
  requireTLS?: boolean;
  auth?: { user: string; pass: string };
  tls?: { rejectUnauthorized?: boolean; servername?: string };
  timeoutMs?: number;
  /** Receive mail too: an SMTP listener that pushes every accepted mail to the server. */
  inbound?: SmtpInboundOptions;
}

export interface ResolvedSmtpInbound {
  host: string;
  port: number;
  allowedRecipientDomains: string[] | null;
  maxMessageBytes: number;
  tls: { keyFile: string; certFile: string } | null;
}

export interface ResolvedSmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  auth: { user: string; pass: string } | null;
  tls: { rejectUnauthorized: boolean; servername?: string };
  timeoutMs: number;
  inbound: ResolvedSmtpInbound | null;
}

const PORT = { type: 'integer', minimum: 1, maximum: 65_535 } as const;

export const smtpOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'SMTP email options',
  type: 'object',
  additionalProperties: false,
  required: ['host'],
  properties: {
    host: { type: 'string', minLength: 1, description: 'SMTP server that relays our mail (smtp.example.com).' },
    port: { ...PORT, description: 'SMTP port: 587 (STARTTLS) or 465 (TLS). Default 465 when secure, else 587.' },
    secure: { type: 'boolean', default: false, description: 'Connect with TLS from the start (port 465).' },
    requireTLS: { type: 'boolean', default: false, description: 'Refuse to send unless the connection is upgraded with STARTTLS.' },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['user', 'pass'],
      properties: {
        user: { type: 'string', minLength: 1 },
        pass: { type: 'string', minLength: 1, writeOnly: true, description: 'Usually ${SMTP_PASSWORD}.' },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rejectUnauthorized: { type: 'boolean', default: true, description: 'Set false only for a server with a self-signed certificate you trust (tests).' },
        servername: { type: 'string', minLength: 1, description: 'Name to verify the certificate against, when host is an IP address.' },
      },
    },
    timeoutMs: {
      type: 'integer', minimum: 100, maximum: 120_000, default: DEFAULT_SMTP_TIMEOUT_MS,
      description: 'How long to wait for the SMTP server at each step (connect, greeting, each command), in milliseconds.',
    },
    inbound: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      description: 'Receive mail with a built-in SMTP listener (point an MX record or a forwarding rule at it).',
      properties: {
        host: { type: 'string', minLength: 1, default: '0.0.0.0' },
        port: { type: 'integer', minimum: 0, maximum: 65_535, description: '25 for direct delivery; 0 picks a free port (tests).' },
        allowedRecipientDomains: {
          type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9.-]+$' }, minItems: 1,
          description: 'Accept mail only for these domains (recommended: otherwise any recipient is accepted).',
        },
        maxMessageBytes: { type: 'integer', minimum: 1024, maximum: 100 * 1024 * 1024, default: DEFAULT_INBOUND_MAX_MESSAGE_BYTES },
        tlsKeyFile: { type: 'string', minLength: 1 },
        tlsCertFile: { type: 'string', minLength: 1 },
      },
      dependentRequired: { tlsKeyFile: ['tlsCertFile'], tlsCertFile: ['tlsKeyFile'] },
    },
  },
};

/** Applies defaults; the loader has already validated the options against the schema. */
export function resolveSmtpOptions(options: SmtpOptions, configDir: string): ResolvedSmtpOptions {
  const secure = options.secure ?? false;
  const inbound = options.inbound;
  const fromConfig = (path: string) => (isAbsolute(path) ? path : resolve(configDir, path));
  return {
    host: options.host,
    port: options.port ?? (secure ? 465 : 587),
    secure,
    requireTLS: options.requireTLS ?? false,
    auth: options.auth ?? null,
    tls: { rejectUnauthorized: options.tls?.rejectUnauthorized ?? true, ...(options.tls?.servername ? { servername: options.tls.servername } : {}) },
    timeoutMs: options.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS,
    inbound: inbound
      ? {
        host: inbound.host ?? '0.0.0.0',
        port: inbound.port,
        allowedRecipientDomains: inbound.allowedRecipientDomains?.map((d) => d.toLowerCase()) ?? null,
        maxMessageBytes: inbound.maxMessageBytes ?? DEFAULT_INBOUND_MAX_MESSAGE_BYTES,
        tls: inbound.tlsKeyFile && inbound.tlsCertFile ? { keyFile: fromConfig(inbound.tlsKeyFile), certFile: fromConfig(inbound.tlsCertFile) } : null,
      }
      : null,
  };
}
