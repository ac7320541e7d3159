import type { Logger } from '../../ports/runtime.js';

type LogFn = (message: string, ...rest: unknown[]) => void;

/** The logger shape the Anthropic and OpenAI SDKs take. */
export interface SdkLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

/**
 * Routes an SDK's own warnings into our structured log. Only the message line is kept: the extra arguments
 * SDKs log can hold request bodies (what the caller said), which our logs never carry.
 */
export function sdkLogger(logger: Logger, provider: string): SdkLogger {
  const line = (message: string) => String(message).slice(0, 300);
  return {
    error: (message) => logger.error({ provider }, line(message)),
    warn: (message) => logger.warn({ provider }, line(message)),
    info: (message) => logger.debug({ provider }, line(message)),
    debug: (message) => logger.debug({ provider }, line(message)),
  };
}
