import type { CorePorts } from '../../core/context.js';
import type { LogFields, Logger } from '../../ports/runtime.js';

/**
 * A child logger made on its first line: most requests write none, and a pino child costs about 14 µs
 * (its bindings are serialised when it is made), a few per cent of a send.
 */
class LazyChildLogger implements Logger {
  private made?: Logger;
  constructor(private readonly parent: Logger, private readonly fields: LogFields) {}
  private get log(): Logger {
    return (this.made ??= this.parent.child(this.fields));
  }
  debug(fields: LogFields, msg: string): void { this.log.debug(fields, msg); }
  info(fields: LogFields, msg: string): void { this.log.info(fields, msg); }
  warn(fields: LogFields, msg: string): void { this.log.warn(fields, msg); }
  error(fields: LogFields, msg: string): void { this.log.error(fields, msg); }
  child(fields: LogFields): Logger { return this.made ? this.made.child(fields) : this.parent.child({ ...this.fields, ...fields }); }
}

/** A logger whose every line carries the request id. */
export function requestLogger(logger: Logger, requestId: string): Logger {
  return new LazyChildLogger(logger, { requestId });
}

/**
 * Core's ports for one request: the same adapters, with a logger whose every line carries the request id.
 * The id is passed this way rather than through AsyncLocalStorage: on Node 20 a store that has ever been
 * entered puts async hooks on every promise of the process (a few per cent of a send's CPU, and garbage).
 */
export function requestPorts(ports: CorePorts, requestId: string): CorePorts {
  return { ...ports, logger: requestLogger(ports.logger, requestId) };
}
