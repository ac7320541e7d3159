import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { authenticate } from '../../core/auth/authenticate.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { App } from '../composition/build-app.js';
import { createMcpServer, toolAudienceOf, toolsOf } from './mcp-server.js';
import { mcpResources } from './resource-handlers.js';
import type { ToolsetChoice } from './toolsets.js';

/** Where the MCP messages come in and go out: the process's stdin and stdout unless a test gives its own. */
export interface StdioStreams {
  stdin?: Readable;
  stdout?: Writable;
}

/**
 * COMMS_AGENT_TOKEN as the caller. An unknown token is explained in stdio's terms: which database it was
 * looked up in, since a client started from another folder or with another config sees other data.
 */
async function stdioCaller(app: App, token: string | undefined) {
  const where = `${app.ports.db.location ?? app.loaded.config.db.use} (data folder ${app.loaded.config.dataDir})`;
  if (!token) {
    throw new DomainError('UNAUTHORIZED', 'COMMS_AGENT_TOKEN is not set.', `Set it in the client's "env" to a token printed by \`agentos-comms agent create\` for ${where}.`);
  }
  try {
    return await authenticate(app.ports, token);
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'UNAUTHORIZED') throw err;
    throw new DomainError(
      'UNAUTHORIZED',
      `COMMS_AGENT_TOKEN is not the token of an active agent in ${where}.`,
      'Create the agent against the same data (same --config, COMMS_DATA_DIR) with `agentos-comms agent create`, or use `agentos-comms connect` to print the client set-up.',
    );
  }
}

/**
 * MCP over stdin/stdout for one agent, whose token comes from COMMS_AGENT_TOKEN. Nothing but MCP
 * messages may reach stdout: logs go to stderr. The token is checked again on every call, so a disabled
 * agent or a rotated token stops working at once, as over HTTP. `toolsets` (`--toolsets`) overrides the
 * config's choice for this token.
 */
export async function runStdioHost(
  app: App, token: string | undefined, toolsets?: readonly ToolsetChoice[], streams: StdioStreams = {},
): Promise<void> {
  const caller = await stdioCaller(app, token);
  const audience = toolAudienceOf(caller);
  const { mcp } = app.loaded.config.server;
  const tools = toolsOf(app.runner.useCases, audience, toolsets ?? (audience === 'agent' ? mcp.toolsets : mcp.adminToolsets));
  const server = createMcpServer(app.runner, tools, () => stdioCaller(app, token), [mcpResources(app)]);
  const stdin = streams.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, streams.stdout ?? process.stdout);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  app.logger.info({ dataDir: app.loaded.config.dataDir, db: app.ports.db.location }, 'MCP stdio server ready');
  await closed;
  await server.close();
}
