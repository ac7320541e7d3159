import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import cors from '@koa/cors';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DomainError } from '../../../ports/errors.js';
import { ROUTE_GROUPS, type RouteGroup, type SecuritySettings } from '../../config/security-settings.js';
import { AuthLockout } from './auth-lockout.js';
import type { Clock } from '../../../ports/runtime.js';
import type { SecurityEventSink } from '../../../ports/security-events.js';
import { clientIpResolver } from './client-ip.js';
import { measureEventLoopDelay, type EventLoopDelay } from './event-loop-delay.js';
import { IpFilter } from './ip-ranges.js';
import { openLimiterStore } from './limiter-store.js';
import { routeGrouper, type RequestGroup } from './route-groups.js';
import { contentSecurityPolicy } from './content-security-policy.js';
import { securityHeaders } from './security-headers.js';

export interface HttpDefenceOptions {
  /** The event-loop delay load shedding reads (default: measured with perf_hooks). */
  eventLoopDelay?: EventLoopDelay;
  /** Told when an address is locked out for bad tokens (logs, alerts, audit). */
  events: SecurityEventSink;
  clock: Clock;
}

/** The listener's defences, built once per server (the limiter store may be a connection to share). */
export interface HttpDefences {
  clientIp(req: IncomingMessage): string;
  lockout: AuthLockout;
  /** Admin-token requests are held to the admin IP filter whatever route they call. */
  adminAllowed(ip: string): boolean;
  /** Security headers, CORS, then the cheap refusals: shedding, in-flight cap, IP filters, rate limits. */
  middleware: Koa.Middleware[];
  close(): Promise<void>;
}

function overloaded(retryAfterSeconds: number, reason: string): DomainError {
  return new DomainError('SERVER_OVERLOADED', 'The server is overloaded; the request was not handled.', `Retry after ${retryAfterSeconds} s.`, { retryAfterSeconds, reason });
}

function notAllowed(group: string): DomainError {
  return new DomainError('IP_NOT_ALLOWED', `Requests to ${group} routes are not accepted from this address.`, `Ask the operator to allow your address in security.ipFilters.${group}.`, { group });
}

function rateLimited(msBeforeNext: number, scope: string): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainError('RATE_LIMITED', 'Too many requests from this address.', `Wait ${retryAfterSeconds} s before the next request.`, { retryAfterSeconds, scope });
}

export async function buildHttpDefences(
  settings: SecuritySettings,
  adminRoutes: ReadonlyArray<{ method: string; path: string }>,
  options: HttpDefenceOptions,
): Promise<HttpDefences> {
  const clientIp = clientIpResolver(settings.trustedProxies);
  const filters = {
    admin: new IpFilter(settings.ipFilters.admin, 'security.ipFilters.admin'),
    metrics: new IpFilter(settings.ipFilters.metrics, 'security.ipFilters.metrics'),
    webhooks: new IpFilter(settings.ipFilters.webhooks, 'security.ipFilters.webhooks'),
  };
  const groupOf = routeGrouper(adminRoutes);
  const store = await openLimiterStore(settings.rateLimits);
  const limits = settings.rateLimits;
  const limiter = (name: 'global' | RouteGroup): RateLimiterAbstract | null =>
    limits[name].requests > 0 ? store.limiter(`requests-${name}`, limits[name].requests, limits[name].perSeconds) : null;
  const globalLimiter = limiter('global');
  const groupLimiters = Object.fromEntries(ROUTE_GROUPS.map((group) => [group, limiter(group)])) as Record<RouteGroup, RateLimiterAbstract | null>;
  const lockout = new AuthLockout(store, settings.lockout, options.events, options.clock);
  const eventLoopDelay = options.eventLoopDelay ?? measureEventLoopDelay();
  let inFlight = 0;

  const consume = async (target: RateLimiterAbstract | null, ip: string, scope: string): Promise<void> => {
    if (!target) return;
    try {
      await target.consume(ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(rejection.msBeforeNext, scope);
      throw rejection;
    }
  };

  const guard: Koa.Middleware = async (ctx, next) => {
    const group: RequestGroup = groupOf(ctx.method, ctx.path);
    // Health checks answer whatever the load: they are how an orchestrator sees the server is alive.
    if (group === 'health') return next();
    const { eventLoopDelayMs, retryAfterSeconds } = settings.loadShedding;
    if (eventLoopDelayMs > 0 && eventLoopDelay.currentMs() > eventLoopDelayMs) throw overloaded(retryAfterSeconds, 'event-loop-delay');
    if (settings.maxInFlight > 0 && inFlight >= settings.maxInFlight) throw overloaded(retryAfterSeconds, 'in-flight');
    const ip = clientIp(ctx.req);
    ctx.state.clientIp = ip;
    if ((group === 'admin' || group === 'metrics' || group === 'webhooks') && !filters[group].allows(ip)) throw notAllowed(group);
    inFlight += 1;
    try {
      await consume(globalLimiter, ip, 'global');
      if (group !== 'metrics' && group !== 'other') await consume(groupLimiters[group], ip, group);
      await next();
    } finally {
      inFlight -= 1;
    }
  };

  const allowedOrigins = new Set(settings.cors.origins);
  return {
    clientIp,
    lockout,
    adminAllowed: (ip) => filters.admin.allows(ip),
    middleware: [
      await securityHeaders({ contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy() }, crossOriginEmbedderPolicy: false }),
      // Closed by default: without listed origins no CORS header is sent and browsers refuse cross-origin calls.
      cors({
        origin: (ctx) => {
          const origin = ctx.get('origin');
          return allowedOrigins.has('*') ? '*' : allowedOrigins.has(origin) ? origin : '';
        },
        allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'x-request-id'],
        exposeHeaders: ['mcp-session-id', 'x-request-id', 'retry-after'],
      }),
      guard,
    ],
    async close() {
      if (!options.eventLoopDelay) eventLoopDelay.close();
      await store.close();
    },
  };
}
