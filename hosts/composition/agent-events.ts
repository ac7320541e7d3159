import { InProcessAgentEvents } from '../../adapters/node/in-process-agent-events.js';
import type { AgentEvents } from '../../ports/agent-events.js';
import type { Logger } from '../../ports/runtime.js';
import type { AppConfig } from '../config/app-config.js';

export interface OpenedAgentEvents {
  agentEvents: AgentEvents;
  /** Stops listening (the PostgreSQL connection); nothing to do in one process. */
  stop(): Promise<void>;
}

/**
 * Agent events for the database in use: on PostgreSQL every server on the database hears them (LISTEN/NOTIFY
 * on a channel of the schema, loaded only then); on SQLite, one process, they stay in it.
 */
export async function openAgentEvents(dialect: 'sqlite' | 'postgresql', config: Pick<AppConfig, 'db'>, logger: Logger): Promise<OpenedAgentEvents> {
  if (dialect === 'sqlite') return { agentEvents: new InProcessAgentEvents(logger), stop: async () => undefined };
  const [{ PgNotifyBus }, { PgAgentEvents }] = await Promise.all([
    import('../../adapters/pg-notify/pg-notify-bus.js'),
    import('../../adapters/pg-notify/pg-agent-events.js'),
  ]);
  const options = config.db.options as { url?: unknown; schema?: unknown };
  const bus = new PgNotifyBus({ url: String(options.url) }, logger);
  const agentEvents = new PgAgentEvents(bus, typeof options.schema === 'string' ? options.schema : undefined, logger);
  // A database that is not reachable yet does not stop the server: the bus keeps trying, events stay local meanwhile.
  await bus.start();
  return { agentEvents, stop: () => bus.stop() };
}
