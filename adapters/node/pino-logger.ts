import { pino, type Logger as Pino } from 'pino';
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

/** Structured JSON logs. `fd` 2 keeps stdout free for the MCP stdio transport. */
export function createLogger(level: string, fd: 1 | 2 = 2): Logger {
  return new PinoLogger(pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination({ fd, sync: false })));
}

export function silentLogger(): Logger {
  return new PinoLogger(pino({ level: 'silent' }));
}
