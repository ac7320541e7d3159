/**
 * The floor for `npm run bench:startup`: a bare MCP SDK server (one tool) on node:http, Streamable HTTP,
 * answering /health/ready, printing "listening on URL" as the real server does. Plain JavaScript run by
 * node, as the real server runs from dist/.
 */
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const mcp = new McpServer({ name: 'baseline', version: '1.0.0' });
mcp.registerTool('echo', { description: 'Echo', inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
await mcp.connect(transport);

const server = createServer((req, res) => {
  if (req.url === '/health/ready') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
    return;
  }
  if (req.url === '/mcp') return void transport.handleRequest(req, res);
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
