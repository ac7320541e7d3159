import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Caller } from '../../core/context.js';
import { DomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { McpHttpSettings } from '../config/app-config.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';
import { AnsweringTransport } from './answering-transport.js';
import { audienceOf, createMcpServer, toolsOf, type McpServerExtension, type ToolAudience } from './mcp-server.js';

interface Session {
  transport: AnsweringTransport;
  server: Server;
  /** The principal that opened the session; no other token may use it. */
  owner: string;
  lastSeen: number;
}

function principal(caller: Caller): string {
  return caller.kind === 'agent' ? `agent:${caller.agentId}` : caller.kind;
}

export type McpHostSettings = Pick<McpHttpSettings, 'maxSessionsPerPrincipal' | 'responseTimeoutMs' | 'toolsets' | 'adminToolsets'> & { idleMs?: number };

/**
 * MCP Streamable HTTP with sessions. Every request is authenticated by the HTTP host first; the caller
 * travels to the tool handlers as the transport's `authInfo`, and a session is bound to the principal
 * that opened it. Idle sessions are closed after `idleMs`; a principal keeps at most
 * `maxSessionsPerPrincipal` sessions.
 *
 * Answers are SSE streams, not JSON bodies: in JSON-response mode SDK 1.32 keeps every request's stream
 * entry until the session ends (typescript-sdk#2559), so a long session grows by kilobytes per call,
 * while an SSE stream is released as soon as its answer is written.
 */
export class StreamableHttpHost {
  private readonly sessions = new Map<string, Session>();
  private readonly tools: Record<ToolAudience, Tool[]>;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;

  constructor(
    private readonly runner: UseCaseRunner,
    private readonly settings: McpHostSettings,
    private readonly logger?: Logger,
    private readonly extensions: readonly McpServerExtension[] = [],
  ) {
    this.tools = { agent: toolsOf(runner.useCases, 'agent', settings.toolsets), admin: toolsOf(runner.useCases, 'admin', settings.adminToolsets) };
    this.idleMs = settings.idleMs ?? 30 * 60_000;
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

  /**
   * The transport that must handle this request (POST messages, GET server stream, DELETE end of
   * session), opening a session for an initialize request. Throws a DomainError before anything is
   * written when the request cannot be served, so the HTTP host can still answer with JSON.
   */
  async transportFor(req: IncomingMessage, caller: Caller, body: unknown): Promise<AnsweringTransport> {
    const auth: AuthInfo = { token: '', clientId: principal(caller), scopes: [], extra: { caller } };
    (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) throw new DomainError('NOT_FOUND', 'Unknown or expired MCP session.', 'Start a new session with an initialize request.');
      if (session.owner !== principal(caller)) {
        throw new DomainError('FORBIDDEN', 'This MCP session belongs to another principal.', 'Open your own session with your own token.');
      }
      session.lastSeen = Date.now();
      return session.transport;
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      throw new DomainError('INVALID_INPUT', 'Mcp-Session-Id header is required after initialization.', 'Send an initialize request first and reuse the session id it returns.');
    }
    await this.makeRoomFor(principal(caller));
    return this.open(caller);
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
    await Promise.all(idle.slice(0, surplus).map(([id]) => this.closeSession(id)));
  }

  private async open(caller: Caller): Promise<AnsweringTransport> {
    const server = createMcpServer(this.runner, this.tools[audienceOf(caller)], (extra) => (extra?.caller as Caller | undefined) ?? { kind: 'anonymous' }, this.extensions);
    // The SDK reports answers it could not deliver (the client left) here; they are not server failures.
    server.onerror = (err) => this.logger?.debug({ err }, 'MCP message not delivered');
    const transport = new AnsweringTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, owner: principal(caller), lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    }, this.settings.responseTimeoutMs);
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  private async closeSession(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.server.close();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, session] of this.sessions) {
      // A session listening on its GET stream (resource subscriptions) is in use though it sends nothing.
      if (session.lastSeen < cutoff && session.transport.inFlightCount === 0 && !session.transport.listening) {
        this.closeSession(id).catch((err: unknown) => this.logger?.warn({ err }, 'closing an idle MCP session failed'));
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.closeSession(id)));
  }
}
