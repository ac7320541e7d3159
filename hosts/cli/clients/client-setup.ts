import { realpathSync } from 'node:fs';

/** The MCP clients `connect` prints a configuration for. */
export const CLIENTS = ['claude-code', 'claude-desktop', 'cursor', 'vscode', 'inspector'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The last version of the MCP Inspector that runs on Node 20 (later ones need Node 22). */
export const INSPECTOR = '@modelcontextprotocol/inspector@0.15.0';

/** How a client reaches this server: it starts `stdio` itself, or it calls a running server over HTTP. */
export type Connection =
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string> }
  | { transport: 'http'; url: string; headers: Record<string, string> };

export interface ClientSetup {
  client: ClientName;
  /** What to do with `text`: run it, or paste it into which file. */
  where: string;
  text: string;
}

/**
 * The stdio connection that starts this very CLI again: the same node binary, the same loader flags (tsx
 * when run from sources), absolute paths, the config files and the data folder, so the client finds the
 * same database from whatever folder it starts in.
 */
export function stdioConnection(token: string, configFiles: readonly string[], dataDir: string): Connection {
  const main = realpathSync(process.argv[1] ?? '');
  return {
    transport: 'stdio',
    command: process.execPath,
    args: [...loaderFlags(), main, 'stdio', ...configFiles.flatMap((file) => ['--config', file])],
    env: { COMMS_AGENT_TOKEN: token, COMMS_DATA_DIR: dataDir },
  };
}

export function httpConnection(baseUrl: string, token: string): Connection {
  return { transport: 'http', url: `${baseUrl.replace(/\/+$/, '')}/mcp`, headers: { Authorization: `Bearer ${token}` } };
}

/** Node's loader flags of this process (`--import tsx` from sources) with bare names resolved, so they work from any folder. */
function loaderFlags(): string[] {
  return process.execArgv.map((arg, i, all) =>
    ['--import', '--loader', '--require'].includes(all[i - 1] ?? '') && !/^[./]|^file:/.test(arg) ? import.meta.resolve(arg) : arg);
}

const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);
const shell = (words: readonly string[]): string => words.map(quote).join(' ');
const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `mcpServers` entry as Claude Desktop and Cursor read it. */
function mcpServersEntry(c: Connection): Record<string, unknown> {
  return c.transport === 'stdio' ? { command: c.command, args: c.args, env: c.env } : { url: c.url, headers: c.headers };
}

export function clientSetup(client: ClientName, c: Connection): ClientSetup {
  switch (client) {
    case 'claude-code':
      return {
        client,
        where: 'Run in a terminal (Claude Code CLI):',
        text: c.transport === 'stdio'
          ? shell(['claude', 'mcp', 'add', 'comms', ...Object.entries(c.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), '--', c.command, ...c.args])
          : shell(['claude', 'mcp', 'add', '--transport', 'http', 'comms', c.url, ...Object.entries(c.headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`])]),
      };
    case 'claude-desktop':
      return {
        client,
        where: 'Add to claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\), then restart Claude Desktop:',
        text: json({ mcpServers: { comms: mcpServersEntry(c) } }),
      };
    case 'cursor':
      return { client, where: 'Add to .cursor/mcp.json in the project (or ~/.cursor/mcp.json for every project):', text: json({ mcpServers: { comms: mcpServersEntry(c) } }) };
    case 'vscode':
      return {
        client,
        where: 'Add to .vscode/mcp.json in the workspace:',
        text: json({ servers: { comms: c.transport === 'stdio' ? { type: 'stdio', ...mcpServersEntry(c) } : { type: 'http', ...mcpServersEntry(c) } } }),
      };
    case 'inspector':
      return {
        client,
        where: `Run in a terminal (${INSPECTOR} runs on Node 20), then open the address it prints:`,
        text: c.transport === 'stdio'
          ? shell(['npx', '-y', INSPECTOR, ...Object.entries(c.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), '--', c.command, ...c.args])
          : `${shell(['npx', '-y', INSPECTOR])}\n# then choose Transport "Streamable HTTP", URL ${c.url}, and add the header Authorization: ${c.headers.Authorization}`,
      };
  }
}
