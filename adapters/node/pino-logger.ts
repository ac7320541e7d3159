import { pino, type Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogFields, Logger } from '../../ports/runtime.js';

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT = ['token', 'authToken', 'apiKey', 'password', 'secret', 'callbackSecret', 'body', 'authorization', '*.token', '*.authToken', '*.apiKey', '*.password', '*.secret', '*.body', '*.authorization'];

class PinoLogger implements Logger {
  constructor(private readonly log: Pino) {}
  debug(fields: LogFields, msg: string): void { this.log.debug(fields, msg); }
  info(fields: LogFields, msg: string): void { this.log.info(fields, msg); }
  warn(fields: LogFields, msg: string): void { this.log.warn(fields, msg); }
  error(fields: LogFields, msg: string): void { this.log.error(fields, msg); }
  child(fields: LogFields): Logger { return new PinoLogger(this.log.child(fields)); }
}

/**
 * Structured logs: JSON lines for collectors, or `pretty` (colours, one readable line per event) for a
 * person at a terminal. `fd` 2 keeps stdout free for the MCP stdio transport.
 */
export function createLogger(level: string, fd: 1 | 2 = 2, format: 'json' | 'pretty' = 'json'): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' } };
  const destination = format === 'pretty'
    ? pretty({ destination: fd, sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' })
    : pino.destination({ fd, sync: false });
  return new PinoLogger(pino(options, destination));
}

export function silentLogger(): Logger {
  return new PinoLogger(pino({ level: 'silent' }));
}
