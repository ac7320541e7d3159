/**
 * The floors the send and webhook benchmarks are compared with, each in its own process as the server is
 * (run.ts starts them): `sdk` is the MCP SDK's own Streamable HTTP transport and `Server` with one no-op
 * `comms_send_message` tool (the fastest a send over MCP can be answered here, sessions and SSE answers as
 * the server uses them); `lean` is the same with this server's own transport (hosts/mcp/lean-http-transport.ts)
 * in place of the SDK's, what a send over MCP can cost here at best; `koa` is a bare Koa app that reads a form post and answers it, as a webhook is.
 * Prints "listening on <url>", like the server.
 *
 *   npx tsx test/bench/baseline-server.ts sdk|lean|koa
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import Koa from 'koa';
import { LeanHttpTransport } from '../../hosts/mcp/lean-http-transport.js';

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

function noopMcpServer(): Server {
  const server = new Server({ name: 'sdk-floor', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [{ name: 'comms_send_message', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, () => ({
    content: [{ type: 'text', text: JSON.stringify({ messageId: 'msg_floor', status: 'sent' }) }],
  }));
  return server;
}

type FloorTransport = StreamableHTTPServerTransport | LeanHttpTransport;
type TransportOptions = ConstructorParameters<typeof LeanHttpTransport>[0];

/** One transport per session, found by its header; an initialize request without one opens a session. */
function mcpFloor(transportOf: (options: TransportOptions) => FloorTransport): HttpServer {
  const transports = new Map<string, FloorTransport>();
  return createServer((req, res) => {
    void (async () => {
      const body: unknown = req.method === 'POST' ? JSON.parse(await readBody(req)) : undefined;
      const id = req.headers['mcp-session-id'];
      let transport = typeof id === 'string' ? transports.get(id) : undefined;
      if (!transport && isInitializeRequest(body)) {
        const opened = transportOf({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (sessionId) => void transports.set(sessionId, opened),
        });
        await noopMcpServer().connect(opened);
        transport = opened;
      }
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handleRequest(req, res, body);
    })().catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

function koaFloor(): HttpServer {
  const app = new Koa();
  app.use(async (ctx) => {
    const form = new URLSearchParams(await readBody(ctx.req));
    if (ctx.method !== 'POST' || !form.get('MessageSid')) ctx.throw(400);
    ctx.type = 'text/xml';
    ctx.body = '<Response></Response>';
  });
  return createServer(app.callback());
}

const kind = process.argv[2];
if (kind !== 'sdk' && kind !== 'lean' && kind !== 'koa') throw new Error('usage: baseline-server.ts sdk|lean|koa');
const floors = {
  sdk: () => mcpFloor((options) => new StreamableHTTPServerTransport(options)),
  lean: () => mcpFloor((options) => new LeanHttpTransport(options)),
  koa: koaFloor,
};
const server = floors[kind]();
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
