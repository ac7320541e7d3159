import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ReadResourceRequestSchema, SubscribeRequestSchema,
  UnsubscribeRequestSchema, type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { AgentEvents } from '../../ports/agent-events.js';
import type { McpSubscriptionChanges, McpSubscriptionRepository } from '../../ports/mcp-sessions.js';
import type { CorePorts } from '../../core/context.js';
import { audienceOf, type CallerOf, type McpServerExtension, type McpStreamSession } from './mcp-server.js';
import { McpResources, resourceError } from './resources.js';
import { SharedSubscriptions } from './shared-subscriptions.js';
import { SessionSubscriptions, type SubscriptionBook } from './subscriptions.js';

/** Subscriptions yes (pushed inbound); the list itself is fixed per audience. */
export const RESOURCE_CAPABILITIES: NonNullable<ServerCapabilities['resources']> = { subscribe: true, listChanged: false };

export interface ResourceServing {
  resources: McpResources;
  events: AgentEvents;
  /**
   * Subscriptions kept with stored sessions, notified by whichever instance holds a session's GET stream (see
   * shared-subscriptions.ts); without it (stdio, or sessions held by one process) each session keeps its own.
   */
  shared?: SharedSubscriptions;
}

/**
 * resources/list, templates/list, read, subscribe and unsubscribe for one session's `server` (which must
 * announce RESOURCE_CAPABILITIES). A notification that cannot be written (no GET stream open over HTTP, the
 * client gone) is dropped: the client reads the resource when it comes back. Returns the session's
 * subscriptions, which end (here) when the server closes.
 */
export function serveResources(server: Server, { resources, events, shared }: ResourceServing, callerOf: CallerOf, session?: McpStreamSession): SubscriptionBook {
  const notify = (uri: string): void => {
    server.sendResourceUpdated({ uri }).catch(() => undefined);
  };
  const subscriptions = shared && session ? shared.forSession(session, notify) : new SessionSubscriptions(events, notify);
  const who = async (extra: { authInfo?: { extra?: Record<string, unknown> } }) => {
    try {
      return await callerOf(extra.authInfo?.extra);
    } catch (err) {
      throw resourceError(err);
    }
  };
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw resourceError(err);
    }
  };
  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => ({ resources: resources.list(audienceOf(await who(extra))) }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_request, extra) => ({
    resourceTemplates: resources.listTemplates(audienceOf(await who(extra))),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const caller = await who(extra);
    return guarded(() => resources.read(caller, request.params.uri));
  });
  server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
    const caller = await who(extra);
    const { agentId } = await guarded(() => resources.resolve(caller, request.params.uri));
    await guarded(async () => subscriptions.add(request.params.uri, agentId));
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    await guarded(async () => subscriptions.remove(request.params.uri));
    return {};
  });
  const previous = server.onclose;
  server.onclose = () => {
    subscriptions.clear();
    previous?.();
  };
  return subscriptions;
}

/** The extension that gives each session the resources and its own subscriptions. */
export function resourcesExtension(serving: ResourceServing): McpServerExtension {
  return {
    capabilities: { resources: RESOURCE_CAPABILITIES },
    extend: (server, callerOf, session) => void serveResources(server, serving, callerOf, session),
    close: () => serving.shared?.close(),
  };
}

/** Where subscriptions of sessions served by any instance are kept, and how the instances tell each other. */
export interface SharedSubscriptionStore {
  store: McpSubscriptionRepository;
  changes: McpSubscriptionChanges;
}

/**
 * The resources of this server's core, for either host; `shared` when the host stores its sessions so that
 * any instance serves them (then subscriptions are stored with the session as well).
 */
export function mcpResources(app: { ports: CorePorts }, shared?: SharedSubscriptionStore): McpServerExtension {
  const { agentEvents: events, logger } = app.ports;
  return resourcesExtension({
    resources: new McpResources(app.ports),
    events,
    shared: shared && new SharedSubscriptions({ ...shared, events, logger: logger.child({ component: 'mcp-subscriptions' }) }),
  });
}
