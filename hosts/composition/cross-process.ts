import { InProcessAgentEvents } from '../../adapters/node/in-process-agent-events.js';
import type { AgentEvents } from '../../ports/agent-events.js';
import { LOCAL_AGENT_CHANGES, type AgentChangeFeed } from '../../ports/agent-changes.js';
import { LOCAL_CALL_CONTROL, type CallControl } from '../../ports/call-control.js';
import { LOCAL_SUBSCRIPTION_CHANGES, type McpSubscriptionChanges } from '../../ports/mcp-sessions.js';
import type { Logger } from '../../ports/runtime.js';
import type { AppConfig } from '../config/app-config.js';

/** What the servers of one database tell each other. */
export interface CrossProcess {
  agentEvents: AgentEvents;
  /** Agent changes made by other processes (another server, the operator's CLI), for the agent caches. */
  agentChanges: AgentChangeFeed;
  callControl: CallControl;
  /** MCP sessions subscribing on one server, for the server that holds the session's GET stream. */
  subscriptionChanges: McpSubscriptionChanges;
  /** Stops listening (the PostgreSQL connection); nothing to do in one process. */
  stop(): Promise<void>;
}

/**
 * On PostgreSQL every server on the database hears agent events, live-call requests and MCP subscription changes
 * (LISTEN/NOTIFY on channels of the schema, one connection per process, loaded only then); on SQLite, one
 * process, all stay in it.
 */
export async function openCrossProcess(dialect: 'sqlite' | 'postgresql', config: Pick<AppConfig, 'db'>, logger: Logger): Promise<CrossProcess> {
  if (dialect === 'sqlite') {
    return {
      agentEvents: new InProcessAgentEvents(logger.child({ port: 'agent-events' })),
      agentChanges: LOCAL_AGENT_CHANGES,
      callControl: LOCAL_CALL_CONTROL,
      subscriptionChanges: LOCAL_SUBSCRIPTION_CHANGES,
      stop: async () => undefined,
    };
  }
  const [{ PgNotifyBus }, { PgAgentEvents }, { PgAgentChanges }, { PgCallControl }, { PgSubscriptionChanges }] = await Promise.all([
    import('../../adapters/pg-notify/pg-notify-bus.js'),
    import('../../adapters/pg-notify/pg-agent-events.js'),
    import('../../adapters/pg-notify/pg-agent-changes.js'),
    import('../../adapters/pg-notify/pg-call-control.js'),
    import('../../adapters/pg-notify/pg-subscription-changes.js'),
  ]);
  const options = config.db.options as { url?: unknown; schema?: unknown };
  const schema = typeof options.schema === 'string' ? options.schema : undefined;
  const bus = new PgNotifyBus({ url: String(options.url) }, logger.child({ component: 'pg-notify' }));
  const agentEvents = new PgAgentEvents(bus, schema, logger.child({ port: 'agent-events' }));
  const agentChanges = new PgAgentChanges(bus, schema, logger.child({ port: 'agent-changes' }));
  const callControl = new PgCallControl(bus, schema, logger.child({ port: 'call-control' }));
  const subscriptionChanges = new PgSubscriptionChanges(bus, schema, logger.child({ port: 'mcp-subscription-changes' }));
  // A database not reachable yet does not stop the server: the bus keeps trying, events stay local meanwhile.
  await bus.start();
  return { agentEvents, agentChanges, callControl, subscriptionChanges, stop: () => bus.stop() };
}
