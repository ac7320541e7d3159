import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { authenticate } from '../../core/auth/authenticate.js';
import type { App } from '../composition/build-app.js';
import { createMcpServer, toolsOf } from './mcp-server.js';

/**
 * MCP over stdin/stdout for one agent, whose token comes from COMMS_AGENT_TOKEN. Nothing but MCP
 * messages may reach stdout: logs go to stderr.
 */
export async function runStdioHost(app: App, token: string | undefined): Promise<void> {
  const caller = await authenticate(app.ports, token);
  const server = createMcpServer(app.runner, toolsOf(app.runner.useCases), () => caller);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.on('end', () => resolve());
  });
  await server.connect(transport);
  app.logger.info({ caller: caller.kind }, 'MCP stdio server ready');
  await closed;
  await server.close();
}
