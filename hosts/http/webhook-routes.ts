import type Koa from 'koa';
import Router from '@koa/router';

type Ctx = Koa.ParameterizedContext;
export type WebhookHandler = (ctx: Ctx) => Promise<void>;

const PREFIX = '/webhooks/';
/** An agent id as this server makes them: one that reads the same before and after URL decoding. */
const PLAIN_AGENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The provider webhook routes: `shared` by the path after /webhooks/ (the URLs shared by every agent), `perAgent` by
 * the path after /webhooks/<agentId>/. They are @koa/router's routes, shared first: the router answers the other
 * methods (405 with Allow) and reads every path form it accepts (a percent-encoded id, another case, a trailing
 * slash). A POST in the form providers call — a path as registered, an agent id without anything to decode — goes
 * straight to the handler the router would pick: per request the router tests every route's pattern and composes the
 * matched route's middleware, ~2.5 % of a webhook's CPU in the profile. Any other request reaches the router.
 */
export function webhookRoutes(shared: ReadonlyMap<string, WebhookHandler>, perAgent: ReadonlyMap<string, WebhookHandler>): Koa.Middleware {
  const router = new Router();
  for (const [path, handler] of shared) router.post(`${PREFIX}${path}`, handler);
  for (const [path, handler] of perAgent) router.post(`${PREFIX}:agentId/${path}`, handler);
  const routes = router.routes();
  const methods = router.allowedMethods();

  const direct = (rest: string): { handler: WebhookHandler; params: Record<string, string> } | null => {
    const sharedHandler = shared.get(rest);
    if (sharedHandler) return { handler: sharedHandler, params: {} };
    const slash = rest.indexOf('/');
    if (slash === -1) return null;
    const agentId = rest.slice(0, slash);
    const handler = perAgent.get(rest.slice(slash + 1));
    return handler && PLAIN_AGENT_ID.test(agentId) ? { handler, params: { agentId } } : null;
  };

  return (ctx, next) => {
    const path = ctx.path;
    if (!path.startsWith(PREFIX)) return next();
    const route = ctx.method === 'POST' ? direct(path.slice(PREFIX.length)) : null;
    if (route) {
      (ctx as Ctx & { params: Record<string, string> }).params = route.params;
      return route.handler(ctx);
    }
    return methods(ctx as Parameters<typeof methods>[0], () => routes(ctx as Parameters<typeof routes>[0], next));
  };
}
