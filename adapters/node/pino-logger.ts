import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { createRequire } from 'node:module';
import type pinoPretty from 'pino-pretty';
import type { LogFields, Logger } from '../../ports/runtime.js';
import { SCRUBBED, scrubText, scrubValue } from './log-scrub.js';

/** Keys whose values never reach a log line: contents (bodies, transcripts) and secrets (tokens, credentials). */
const SECRET_KEYS = [
  'token', 'authToken', 'apiKey', 'apiSecret', 'password', 'pass', 'secret', 'callbackSecret', 'webhookSecret', 'signingSecret',
  'accessKeyId', 'secretAccessKey', 'privateKey', 'authorization', 'cookie', 'adminToken', 'metricsToken', 'apiKeySecret', 'credentials',
  'signatureSecret',
];
const CONTENT_KEYS = ['body', 'text', 'html', 'subject', 'transcript', 'evidence', 'rawBody', 'rawBytes', 'content', 'prompt'];
const REDACT = [...SECRET_KEYS, ...CONTENT_KEYS].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat(['headers.authorization', '*.headers.authorization']);

class PinoLogger implements Logger {
  constructor(private readonly log: Pino) {}
  debug(fields: LogFields, msg: string): void { if (this.log.isLevelEnabled('debug')) this.log.debug(scrub(fields), scrubText(msg)); }
  info(fields: LogFields, msg: string): void { if (this.log.isLevelEnabled('info')) this.log.info(scrub(fields), scrubText(msg)); }
  warn(fields: LogFields, msg: string): void { if (this.log.isLevelEnabled('warn')) this.log.warn(scrub(fields), scrubText(msg)); }
  error(fields: LogFields, msg: string): void { if (this.log.isLevelEnabled('error')) this.log.error(scrub(fields), scrubText(msg)); }
  child(fields: LogFields): Logger { return new PinoLogger(this.log.child(scrub(fields))); }
}

const scrub = (fields: LogFields): LogFields => scrubValue(fields) as LogFields;

/** pino-pretty, required only for the readable format: a server logging JSON lines never loads it. */
function prettyStream(options: pinoPretty.PrettyOptions): DestinationStream {
  return (createRequire(import.meta.url)('pino-pretty') as typeof pinoPretty)(options);
}

/**
 * Structured logs: JSON lines for collectors, or `pretty` (colours, one readable line per event) for a
 * person at a terminal. `fd` 2 keeps stdout free for the MCP stdio transport. Hosts hand core a child
 * logger per request, so that its lines carry the `requestId`; numbers and addresses are scrubbed from
 * every string, contents and secrets redacted by key.
 */
export function createLogger(level: string, fd: 1 | 2 = 2, format: 'json' | 'pretty' = 'json', destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: SCRUBBED } };
  const target = destination ?? (format === 'pretty'
    ? prettyStream({ destination: fd, sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' })
    : pino.destination({ fd, sync: false }));
  return new PinoLogger(pino(options, target));
}

export function silentLogger(): Logger {
  return new PinoLogger(pino({ level: 'silent' }));
}
