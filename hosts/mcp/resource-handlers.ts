import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ReadResourceRequestSchema, SubscribeRequestSchema,
  UnsubscribeRequestSchema, type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { AgentEvents } from '../../ports/agent-events.js';
import type { CorePorts } from '../../core/context.js';
import { audienceOf, type CallerOf, type McpServerExtension } from './mcp-server.js';
import { McpResources, resourceError } from './resources.js';
import { SessionSubscriptions } from './subscriptions.js';

/** Subscriptions yes (pushed inbound); the list itself is fixed per audience. */
export const RESOURCE_CAPABILITIES: NonNullable<ServerCapabilities['resources']> = { subscribe: true, listChanged: false };

export interface ResourceServing {
  resources: McpResources;
  events: AgentEvents;
}

/**
 * resources/list, templates/list, read, subscribe and unsubscribe for one session's `server` (which must
 * announce RESOURCE_CAPABILITIES). A notification that cannot be written (no GET stream open over HTTP, the
 * client gone) is dropped: the client reads the resource when it comes back. Returns the session's
 * subscriptions, which end when the server closes.
 */
export function serveResources(server: Server, { resources, events }: ResourceServing, callerOf: CallerOf): SessionSubscriptions {
  const subscriptions = new SessionSubscriptions(events, (uri) => {
    server.sendResourceUpdated({ uri }).catch(() => undefined);
  });
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
    subscriptions.add(request.params.uri, agentId);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.remove(request.params.uri);
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
  return { capabilities: { resources: RESOURCE_CAPABILITIES }, extend: (server, callerOf) => void serveResources(server, serving, callerOf) };
}

/** The resources of this server's core, for either host. */
export function mcpResources(app: { ports: CorePorts }): McpServerExtension {
  return resourcesExtension({ resources: new McpResources(app.ports), events: app.ports.agentEvents });
}
