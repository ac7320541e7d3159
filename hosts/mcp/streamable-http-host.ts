import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  isInitializeRequest, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type InitializeRequest, type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Caller } from '../../core/context.js';
import { DomainError } from '../../ports/errors.js';
import type { McpSessionRecord, McpSessionRepository } from '../../ports/mcp-sessions.js';
import type { Logger } from '../../ports/runtime.js';
import type { McpHttpSettings } from '../config/app-config.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';
import { AnsweringTransport } from './answering-transport.js';
import { routeRequestsDirectly } from './direct-requests.js';
import { createMcpServer, toolAudienceOf, toolsOf, type McpServerExtension, type ToolAudience } from './mcp-server.js';

interface Session {
  transport: AnsweringTransport;
  server: Server;
  /** The principal that opened the session; no other token may use it. */
  owner: string;
  lastSeen: number;
  /** When the stored record was last touched (and so found still there). */
  checkedAt: number;
}

type InitializeParams = InitializeRequest['params'];

function principal(caller: Caller): string {
  if (caller.kind === 'agent') return `agent:${caller.agentId}`;
  // Each customer's admin token is its own principal: sessions are never shared across customers.
  return caller.kind === 'customer' ? `customer:${caller.customerId}` : caller.kind;
}

/** The tool audience of a stored session's owner (see `principal`). */
function audienceOfPrincipal(owner: string): ToolAudience {
  if (owner === 'admin') return 'admin';
  return owner.startsWith('customer:') ? 'customer' : 'agent';
}

export type McpHostSettings = Pick<McpHttpSettings, 'maxSessionsPerPrincipal' | 'responseTimeoutMs' | 'toolsets' | 'adminToolsets'> & {
  idleMs?: number;
  /**
   * How often a session's stored record is touched (last seen) and found still there; a session ended on
   * another instance (DELETE) is served here at most this long after. Default one minute.
   */
  sessionRecheckMs?: number;
};

const notFound = () => new DomainError('NOT_FOUND', 'Unknown or expired MCP session.', 'Start a new session with an initialize request.');
const forbidden = () => new DomainError('FORBIDDEN', 'This MCP session belongs to another principal.', 'Open your own session with your own token.');

/** The version the SDK Server answers to this request: what the client asked for when supported. */
function negotiatedVersion(requested: string): string {
  return SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

/**
 * MCP Streamable HTTP with sessions. Every request is authenticated by the HTTP host first; the caller
 * travels to the tool handlers as the transport's `authInfo`, and a session is bound to the principal
 * that opened it. Idle sessions are closed after `idleMs`; a principal keeps at most
 * `maxSessionsPerPrincipal` sessions.
 *
 * The transport is our own (lean-http-transport.ts: the SDK's Streamable HTTP answers, written on node's
 * request and response without the SDK's web-standard adapter, which cost more CPU than the rest of a
 * no-op call); the protocol layer is the SDK's `Server`. Answers are SSE streams, not JSON bodies: in
 * JSON-response mode SDK 1.32 keeps every request's stream entry until the session ends
 * (typescript-sdk#2559), so our transport has no such mode; an SSE stream is released with its answer.
 *
 * Any instance serves any session when `stored` is given (several processes behind a load balancer, no
 * sticky sessions): a session's record (owner, negotiated version, client capabilities and info) is
 * written at initialization, and a request with an id this process does not hold restores the session
 * from it (one lookup, only for unknown ids). Held sessions touch their record at most every `sessionRecheckMs`,
 * which also finds one ended elsewhere; DELETE removes the record; records idle past `idleMs` are swept.
 * A GET stream lives on the instance holding it; the session's resource subscriptions are stored with the
 * session (see shared-subscriptions.ts), so whichever instance holds the stream notifies it, and after a
 * failover the stream the client opens again elsewhere (SDK clients re-open GET) still carries them.
 * A server request (an elicitation) waits on the instance that sent it: the client's answer,
 * POSTed to another instance, finds no one waiting there.
 */
export class StreamableHttpHost {
  private readonly sessions = new Map<string, Session>();
  private readonly tools: Record<ToolAudience, Tool[]>;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly recheckMs: number;
  /** Sessions being restored from their records: concurrent first requests share one restore. */
  private readonly restoring = new Map<string, Promise<Session>>();

  constructor(
    private readonly runner: UseCaseRunner,
    private readonly settings: McpHostSettings,
    private readonly logger?: Logger,
    private readonly extensions: readonly McpServerExtension[] = [],
    private readonly stored?: McpSessionRepository,
  ) {
    this.tools = {
      agent: toolsOf(runner.useCases, 'agent', settings.toolsets),
      admin: toolsOf(runner.useCases, 'admin', settings.adminToolsets),
      customer: toolsOf(runner.useCases, 'customer', settings.adminToolsets),
    };
    this.idleMs = settings.idleMs ?? 30 * 60_000;
    this.recheckMs = settings.sessionRecheckMs ?? 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.idleMs, 60_000));
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The transport of an open session (for tests and diagnostics). */
  transportOf(sessionId: string): AnsweringTransport | undefined {
    return this.sessions.get(sessionId)?.transport;
  }

  /** What the client declared at initialization, as this instance's Server holds it (for tests and diagnostics). */
  clientOf(sessionId: string): { capabilities: unknown; info: unknown } | undefined {
    const server = this.sessions.get(sessionId)?.server;
    return server && { capabilities: server.getClientCapabilities(), info: server.getClientVersion() };
  }

  /**
   * The transport that must handle this request (POST messages, GET server stream, DELETE end of
   * session), opening a session for an initialize request. Throws a DomainError before anything is
   * written when the request cannot be served, so the HTTP host can still answer with JSON.
   */
  async transportFor(req: IncomingMessage, caller: Caller, body: unknown): Promise<AnsweringTransport> {
    const auth: AuthInfo = { token: '', clientId: principal(caller), scopes: [], extra: { caller } };
    (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') return (await this.sessionFor(sessionId, principal(caller))).transport;
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      throw new DomainError('INVALID_INPUT', 'Mcp-Session-Id header is required after initialization.', 'Send an initialize request first and reuse the session id it returns.');
    }
    await this.makeRoomFor(principal(caller));
    return (await this.open(principal(caller), toolAudienceOf(caller), body.params)).transport;
  }

  private async sessionFor(id: string, owner: string): Promise<Session> {
    const session = this.sessions.get(id) ?? (await this.restore(id, owner));
    if (session.owner !== owner) throw forbidden();
    const now = Date.now();
    session.lastSeen = now;
    if (this.stored && now - session.checkedAt >= this.recheckMs && !(await this.touch(id, session, now))) {
      await this.closeSession(id);
      throw notFound();
    }
    return session;
  }

  /**
   * A session this process does not hold, from its stored record: NOT_FOUND when there is none, FORBIDDEN
   * (before anything is built) when it is not the caller's.
   */
  private async restore(id: string, owner: string): Promise<Session> {
    const pending = this.restoring.get(id);
    if (pending) return pending;
    const record = await this.stored?.findById(id);
    if (!record) throw notFound();
    if (record.owner !== owner) throw forbidden();
    // Another request of the session may have restored it meanwhile.
    const held = this.sessions.get(id) ?? this.restoring.get(id);
    if (held) return held;
    const opening = this.open(record.owner, audienceOfPrincipal(record.owner), undefined, record).finally(() => this.restoring.delete(id));
    this.restoring.set(id, opening);
    return opening;
  }

  /** Whether the record is still there (false: ended or expired elsewhere). A failing database does not end sessions. */
  private async touch(id: string, session: Session, now: number): Promise<boolean> {
    session.checkedAt = now;
    try {
      return await this.stored!.touch(id, new Date(now));
    } catch (err) {
      this.logger?.warn({ err }, 'touching a stored MCP session failed');
      return true;
    }
  }

  /**
   * At the cap, the principal's least recently used session with nothing in flight is closed (a client
   * that lost its session id opens a new one without waiting for the idle timeout); when all are busy
   * the new session is refused rather than cutting off a request.
   */
  private async makeRoomFor(owner: string): Promise<void> {
    const own = [...this.sessions].filter(([, s]) => s.owner === owner);
    if (own.length < this.settings.maxSessionsPerPrincipal) return;
    const idle = own.filter(([, s]) => s.transport.inFlightCount === 0).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    const surplus = own.length - this.settings.maxSessionsPerPrincipal + 1;
    if (idle.length < surplus) {
      throw new DomainError(
        'SESSION_LIMIT_REACHED',
        `This token already has ${own.length} MCP sessions open, all of them busy.`,
        'Reuse an open session, close the ones you no longer need (DELETE /mcp), or raise server.mcp.maxSessionsPerPrincipal.',
        { limit: this.settings.maxSessionsPerPrincipal },
      );
    }
    // The cap ends these sessions for good, record and all: kept, the record would let the evicted session
    // come back on its next request and the cap would bound nothing.
    await Promise.all(idle.slice(0, surplus).map(async ([id]) => {
      await this.closeSession(id);
      await this.forget(id);
    }));
  }

  /**
   * A new session for an initialize request (`init`: its params, stored once the id is known), or one
   * opened elsewhere, restored from its `record` through the same initialize path.
   */
  private async open(owner: string, audience: ToolAudience, init?: InitializeParams, record?: McpSessionRecord): Promise<Session> {
    let session: Session | undefined;
    const transport = new AnsweringTransport({
      sessionIdGenerator: () => record?.id ?? randomUUID(),
      onsessioninitialized: async (id) => {
        const now = Date.now();
        session = { transport, server, owner, lastSeen: now, checkedAt: now };
        this.sessions.set(id, session);
        if (init) await this.store(id, owner, init, now);
      },
      onsessionclosed: async (id) => {
        this.sessions.delete(id);
        await this.forget(id);
      },
    }, this.settings.responseTimeoutMs);
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    // The transport is the session the extensions see: its id, and the client's GET stream opening and closing here.
    const server = createMcpServer(this.runner, this.tools[audience], (extra) => (extra?.caller as Caller | undefined) ?? { kind: 'anonymous' }, this.extensions, transport);
    // The SDK reports answers it could not deliver (the client left) here; they are not server failures.
    server.onerror = (err) => this.logger?.debug({ err }, 'MCP message not delivered');
    await server.connect(transport);
    routeRequestsDirectly(server, transport);
    if (record) {
      await transport.restore({
        protocolVersion: record.protocolVersion,
        capabilities: record.clientCapabilities,
        clientInfo: record.clientInfo as InitializeParams['clientInfo'],
      });
    }
    return session ?? { transport, server, owner, lastSeen: Date.now(), checkedAt: Date.now() };
  }

  /** Written before the initialize answer leaves, so the client's next request finds it on any instance. */
  private async store(id: string, owner: string, init: InitializeParams, now: number): Promise<void> {
    if (!this.stored) return;
    const at = new Date(now);
    try {
      await this.stored.insert({
        id, owner, protocolVersion: negotiatedVersion(init.protocolVersion),
        clientCapabilities: init.capabilities as Record<string, unknown>, clientInfo: init.clientInfo as Record<string, unknown>,
        createdAt: at, lastSeenAt: at,
      });
    } catch (err) {
      // The session still works on this instance; only another instance will not know it.
      this.logger?.warn({ err }, 'storing an MCP session failed');
    }
  }

  private async forget(id: string): Promise<void> {
    try {
      await this.stored?.remove(id);
    } catch (err) {
      this.logger?.warn({ err }, 'removing a stored MCP session failed');
    }
  }

  private async closeSession(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.server.close();
  }

  /**
   * Closes sessions idle here (their records stay: the client may be using another instance), keeps the
   * records of listening ones fresh, and removes records no instance touched within the idle time.
   */
  private sweep(): void {
    const now = Date.now();
    const cutoff = now - this.idleMs;
    for (const [id, session] of this.sessions) {
      // A session listening on its GET stream (resource subscriptions) is in use though it sends nothing.
      if (session.transport.listening) {
        if (this.stored && now - session.checkedAt >= this.recheckMs) void this.touch(id, session, now);
      } else if (session.lastSeen < cutoff && session.transport.inFlightCount === 0) {
        this.closeSession(id).catch((err: unknown) => this.logger?.warn({ err }, 'closing an idle MCP session failed'));
      }
    }
    // A record in use is touched at least every recheckMs, so it may look that much older than it is.
    this.stored?.removeIdleBefore(new Date(cutoff - this.recheckMs))
      .catch((err: unknown) => this.logger?.warn({ err }, 'sweeping stored MCP sessions failed'));
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.closeSession(id)));
    for (const extension of this.extensions) extension.close?.();
  }
}
