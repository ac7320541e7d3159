import Koa from 'koa';
import Router from '@koa/router';
import { authenticate, bearerToken } from '../../core/auth/authenticate.js';
import { recordAuthFailure } from '../../core/auth/auth-failures.js';
import type { Caller, CorePorts } from '../../core/context.js';
import { receiveCallStatus } from '../../core/calls/call-webhooks.js';
import { receiveRecording } from '../../core/calls/call-recording.js';
import { receiveCallAnswer } from '../../core/calls/machine-detection.js';
import { receiveConversationEnd, receiveIncomingCall } from '../../core/conversation/voice-webhooks.js';
import { receiveEmailWebhook } from '../../core/messages/inbound/email-webhooks.js';
import { receiveInboundSms, receiveSmsStatus } from '../../core/messages/inbound/sms-webhooks.js';
import { receiveWhatsAppWebhook } from '../../core/messages/inbound/whatsapp-webhooks.js';
import { receiveUnsubscribe } from '../../core/compliance/unsubscribe.js';
import { admitWebhook, type WebhookChannel } from '../../core/webhook-admission.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import type { App } from '../composition/build-app.js';
import type { StreamableHttpHost } from '../mcp/streamable-http-host.js';
import { HTTP_STATUS, errorBody, toDomainError } from '../shared/error-mapping.js';
import { requestPorts } from '../shared/request-ports.js';
import { IDEMPOTENCY_HEADER, withIdempotencyHeader } from './idempotency-header.js';
import { lingerThenClose } from './lingering-close.js';
import { openApiDocument } from './openapi.js';
import { registerAdminConsole } from './admin-console.js';
import type { HttpDefences } from './hardening/http-defences.js';
import { checkOrigin } from './origin-check.js';
import { OAuthResourceServer } from './oauth/oauth-resource-server.js';
import { isFormBody, parseForm, parseJson, readRawBody, readRawBytes } from './read-body.js';
import { webhookRoutes } from './webhook-routes.js';

type Ctx = Koa.ParameterizedContext;

/**
 * A failure that is the client's hang-up (an aborted upload, a request it gave up on): the read failed and
 * its connection is gone. Refusals of our own (DomainError) also stop reading, but on a live connection.
 */
function clientGone(err: unknown, ctx: Ctx): boolean {
  return !isDomainError(err) && ctx.req.socket.destroyed;
}

function routeNotFound(method: string, path: string): DomainError {
  return new DomainError('NOT_FOUND', `No route ${method} ${path}.`, 'See GET /openapi.json for the REST routes; MCP is at /mcp.', { method, path });
}

/**
 * The Koa host: MCP Streamable HTTP at /mcp, REST routes generated from the use-case descriptors under
 * /api/v1, provider webhooks under /webhooks, and health checks. Thin: parse, call core, map the result.
 */
export function createHttpApp(app: App, mcp: StreamableHttpHost, defences: HttpDefences): Koa {
  const koa = new Koa({ proxy: false });
  const limit = app.loaded.config.server.bodyLimitBytes;
  const router = new Router();
  const oauth = new OAuthResourceServer(app.loaded.config.auth.oauth, app.ports);
  // Koa reports here what the handlers could not catch, mostly a connection the client closed
  // mid-request, which its default printed to stderr as if the server had failed.
  koa.on('error', (err: unknown, ctx?: Ctx) => {
    if (ctx?.req.socket.destroyed) app.logger.debug({ path: ctx.path }, 'client closed the connection');
    else app.logger.error({ err, path: ctx?.path }, 'response failed');
  });

  koa.use(async (ctx, next) => {
    // A caller's own id is kept only when it is a plain token: it goes into every log line of the request.
    const given = ctx.get('x-request-id');
    const requestId = /^[A-Za-z0-9._:-]{1,64}$/.test(given) && !/\d{6}/.test(given) ? given : app.ports.ids.next('req');
    ctx.state.requestId = requestId;
    ctx.set('x-request-id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) throw routeNotFound(ctx.method, ctx.path);
    } catch (err) {
      if (clientGone(err, ctx)) {
        // The client hung up (closed the tab, timed out): nobody reads an answer and nothing failed here.
        app.logger.debug({ requestId, path: ctx.path }, 'client closed the request');
        return;
      }
      const error = toDomainError(err);
      if (error.code === 'INTERNAL') app.logger.error({ err, requestId, path: ctx.path }, 'request failed');
      const challenge = oauth.challenge(error, ctx.path, Boolean(ctx.get('authorization')));
      if (challenge) ctx.set('www-authenticate', challenge);
      ctx.status = HTTP_STATUS[error.code];
      // Refused before its body was read to the end (too large, unauthenticated): the rest of the body is never
      // parsed, so the connection cannot carry another request. It is closed once the answer is out (lingering,
      // so that a client still uploading gets the answer, not a reset).
      if (!ctx.req.complete) {
        ctx.set('connection', 'close');
        lingerThenClose(ctx.req, ctx.res);
      }
      if (typeof error.details.retryAfterSeconds === 'number') ctx.set('retry-after', String(error.details.retryAfterSeconds));
      ctx.body = { ...errorBody(error), requestId };
    }
  });
  for (const middleware of defences.middleware) koa.use(middleware);

  /** Core's ports for this request: every line core logs while handling it carries its id. */
  const portsOf = (ctx: Ctx): CorePorts => (ctx.state.ports ??= requestPorts(app.ports, ctx.state.requestId as string)) as CorePorts;

  /** A bad token counts towards the source's lockout and its failure burst (audit trail) before the 401. */
  const refused = async (ctx: Ctx, err: unknown): Promise<never> => {
    if (isDomainError(err) && (err.code === 'UNAUTHORIZED' || err.code === 'AUTH_LOCKED_OUT')) await recordAuthFailure(portsOf(ctx), ctx.state.clientIp as string);
    throw err;
  };
  // A locked-out address is refused before its token is looked at; a bad token counts towards its lockout.
  const caller = async (ctx: Ctx): Promise<Caller> => {
    const ip = ctx.state.clientIp as string;
    const token = bearerToken(ctx.get('authorization') || undefined);
    // Guesses refused unread while locked out still count towards the source's failure burst.
    await defences.lockout.check(ip).catch((err: unknown) => (token ? refused(ctx, err) : Promise.reject(err)));
    let who: Caller;
    try {
      // A JWT goes to OAuth verification (when configured), anything else to the static tokens.
      who = token && oauth.handles(token) ? await oauth.authenticate(token) : await authenticate(portsOf(ctx), token);
    } catch (err) {
      if (token && isDomainError(err) && err.code === 'UNAUTHORIZED') await defences.lockout.failed(ip);
      return refused(ctx, err);
    }
    if (who.kind === 'admin' && !defences.adminAllowed(ip)) {
      throw new DomainError('IP_NOT_ALLOWED', 'The admin token is not accepted from this address.', 'Call from an address in security.ipFilters.admin.allow.', { group: 'admin' });
    }
    return who;
  };

  // Prometheus scrapes with the metrics token (not the admin token); without one configured the route does not exist.
  router.get('/metrics', async (ctx) => {
    const token = app.loaded.config.metrics.token;
    if (!app.prometheus || token === null) throw routeNotFound(ctx.method, ctx.path);
    const given = bearerToken(ctx.get('authorization') || undefined);
    if (given === undefined || !app.ports.secrets.equal(given, token)) {
      await refused(ctx, new DomainError('UNAUTHORIZED', 'GET /metrics needs the metrics token.', 'Send "Authorization: Bearer <metrics.token>" (COMMS_METRICS_TOKEN).'));
    }
    ctx.type = app.prometheus.contentType;
    ctx.body = await app.prometheus.render();
  });

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const { ready, checks, failed } = await app.readiness();
    ctx.status = ready ? 200 : 503;
    ctx.body = ready ? { status: 'ready', checks } : { status: 'not ready', failed, checks };
  });

  oauth.register(router);

  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument(app.runner.useCases, app.ports.settings.publicBaseUrl);
  });

  registerAdminConsole(router);

  const { allowedOrigins } = app.loaded.config.server.mcp;
  const mcpRoute = async (ctx: Koa.Context): Promise<void> => {
    // Before the token: a rebinding page must learn nothing, and the check costs nothing.
    checkOrigin(ctx.get('origin') || undefined, ctx.get('host') || undefined, app.ports.settings.publicBaseUrl, allowedOrigins);
    const who = await caller(ctx);
    const body = ctx.method === 'POST' ? parseJson(await readRawBody(ctx.req, limit)) : undefined;
    const transport = await mcp.transportFor(ctx.req, who, body);
    ctx.respond = false;
    await transport.handleRequest(ctx.req, ctx.res, body);
  };
  // The router's own match of /mcp takes its other spellings (/MCP, /mcp/); /mcp itself is served before the router (below).
  router.all('/mcp', mcpRoute);

  for (const useCase of app.runner.useCases) {
    const method = useCase.rest.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    router[method](`/api/v1${useCase.rest.path}`, async (ctx) => {
      const who = await caller(ctx);
      const isQuery = useCase.rest.method === 'GET' || useCase.rest.method === 'DELETE';
      const fromBody = isQuery ? {} : parseJson(await readRawBody(ctx.req, limit));
      const fields = { ...(isQuery ? ctx.query : (fromBody as object)), ...ctx.params };
      const input = isQuery ? fields : withIdempotencyHeader(useCase, ctx.get(IDEMPOTENCY_HEADER) || undefined, fields);
      // A client that hangs up stops a wait (comms_wait_for_message) at once; after the answer it changes nothing.
      const gone = new AbortController();
      ctx.res.once('close', () => gone.abort());
      ctx.body = await app.runner.run(useCase.name, who, input, { coerce: isQuery, requestId: ctx.state.requestId as string, signal: gone.signal });
      ctx.status = useCase.rest.successStatus ?? 200;
    });
  }

  // `agentId` is null on the URLs shared by every agent (one provider application for all numbers and mailboxes).
  // The cheap refusals (unknown agent, no signature header, a media type or size the provider never sends) come
  // before the body is read: an unauthenticated body must not buy seconds of parsing and hashing.
  const webhook = (channel: WebhookChannel, handle: (ports: CorePorts, agentId: string | null, request: WebhookRequest) => Promise<WebhookReply>) => async (ctx: Ctx) => {
    const agentId = ctx.params.agentId === undefined ? null : String(ctx.params.agentId);
    try {
      const head = { url: app.ports.settings.publicBaseUrl + ctx.originalUrl, method: ctx.method, headers: ctx.headers as Record<string, string | undefined> };
      const ports = portsOf(ctx);
      const limits = await admitWebhook(ports, channel, agentId, head);
      const rawBytes = await readRawBytes(ctx.req, Math.min(limits.maxBodyBytes ?? limit, limit));
      const rawBody = rawBytes.toString('utf8');
      const params = isFormBody(ctx.req.headers['content-type']) ? parseForm(rawBody, limits.maxFormFields) : {};
      const reply = await handle(ports, agentId, { ...head, agentId, rawBody, rawBytes, params, requestId: ctx.state.requestId as string });
      ctx.type = reply.contentType;
      ctx.body = reply.body;
    } catch (err) {
      // A missing or wrong signature, before or after the body was read. The route without its agent id
      // (`sms/status`) names the source of a signature failure burst.
      if (isDomainError(err) && err.code === 'INVALID_SIGNATURE') app.ports.alertTriggers.webhookSignatureFailed(ctx.path.split('/').slice(agentId === null ? 2 : 3).join('/'));
      throw err;
    }
  };
  const smsInbound = webhook('telephony', receiveInboundSms);
  const smsStatus = webhook('telephony', receiveSmsStatus);
  const incomingCall = webhook('telephony', receiveIncomingCall);
  const callStatus = webhook('telephony', receiveCallStatus);
  const email = webhook('email', receiveEmailWebhook);
  // The webhooks have routes of their own, reached by their prefix: the main router tests every route's pattern
  // (a hundred REST routes) on every request, a measurable share of a webhook's CPU.
  const webhooks = webhookRoutes(
    new Map([['sms', smsInbound], ['sms/status', smsStatus], ['voice', incomingCall], ['voice/status', callStatus], ['email', email]]),
    new Map([
      ['sms', smsInbound],
      ['sms/status', smsStatus],
      ['voice', incomingCall],
      ['voice/action', webhook('telephony', (ports, agentId, request) => receiveConversationEnd(ports, String(agentId), request))],
      ['voice/status', callStatus],
      ['voice/answer', webhook('telephony', (ports, agentId, request) => receiveCallAnswer(ports, String(agentId), request))],
      ['voice/recording', webhook('telephony', (ports, agentId, request) => receiveRecording(ports, String(agentId), request))],
      ['email', email],
      ['whatsapp', webhook('whatsapp', (ports, agentId, request) => receiveWhatsAppWebhook(ports, String(agentId), request))],
    ]),
  );

  // Unsubscribe links of marketing emails (signed, no login); POST is also RFC 8058 one-click.
  const unsubscribe = (method: 'GET' | 'POST') => async (ctx: Ctx) => {
    if (method === 'POST') await readRawBody(ctx.req, 4096);
    const { status, reply } = await receiveUnsubscribe(portsOf(ctx), String(ctx.params.agentId), String(ctx.params.token), method);
    ctx.status = status;
    ctx.type = reply.contentType;
    ctx.body = reply.body;
  };
  router.get('/unsubscribe/:agentId/:token', unsubscribe('GET'));
  router.post('/unsubscribe/:agentId/:token', unsubscribe('POST'));

  // Files of storage adapters that serve through this server (local storage): signed, expiring URLs only.
  router.get('/storage/{*key}', async (ctx) => {
    const storage = app.ports.storage?.port;
    const raw = ctx.params.key as string | string[] | undefined;
    const key = Array.isArray(raw) ? raw.join('/') : (raw ?? '');
    const query = { expires: ctx.query.expires as string | undefined, sig: ctx.query.sig as string | undefined };
    const file = storage?.openSigned ? await storage.openSigned(key, query) : null;
    if (!file) throw new DomainError('NOT_FOUND', 'No such file, or the link has expired.', 'Ask for a new link.');
    ctx.set('cache-control', 'private, max-age=60');
    ctx.type = file.contentType;
    ctx.body = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  });

  // Every MCP call, ahead of the router, which would test each of its routes (one per REST use case) against the path.
  koa.use((ctx, next) => (ctx.path === '/mcp' ? mcpRoute(ctx) : next()));
  koa.use(webhooks);
  koa.use(router.routes());
  koa.use(router.allowedMethods());
  return koa;
}
