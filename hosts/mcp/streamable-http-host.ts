import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Caller } from '../../core/context.js';
import { DomainError } from '../../ports/errors.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';
import { createMcpServer, toolsOf } from './mcp-server.js';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  /** The principal that opened the session; no other token may use it. */
  owner: string;
  lastSeen: number;
}

function principal(caller: Caller): string {
  return caller.kind === 'agent' ? `agent:${caller.agentId}` : caller.kind;
}

/**
 * MCP Streamable HTTP with sessions. Every request is authenticated by the HTTP host first; the caller
 * travels to the tool handlers as the transport's `authInfo`, and a session is bound to the principal
 * that opened it. Idle sessions are closed after `idleMs`.
 */
export class StreamableHttpHost {
  private readonly sessions = new Map<string, Session>();
  private readonly tools: Tool[];
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly runner: UseCaseRunner, private readonly idleMs = 30 * 60_000) {
    this.tools = toolsOf(runner.useCases);
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * The transport that must handle this request (POST messages, GET server stream, DELETE end of
   * session), opening a session for an initialize request. Throws a DomainError before anything is
   * written when the request cannot be served, so the HTTP host can still answer with JSON.
   */
  async transportFor(req: IncomingMessage, caller: Caller, body: unknown): Promise<StreamableHTTPServerTransport> {
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
    return this.open(caller);
  }

  private async open(caller: Caller): Promise<StreamableHTTPServerTransport> {
    const server = createMcpServer(this.runner, this.tools, (extra) => (extra?.caller as Caller | undefined) ?? { kind: 'anonymous' });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, owner: principal(caller), lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.lastSeen < cutoff) {
        this.sessions.delete(id);
        void session.server.close();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((s) => s.server.close()));
  }
}
