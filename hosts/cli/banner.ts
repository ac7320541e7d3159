/** What `serve` prints once listening: how to get a token and connect an MCP client. */
export function startBanner(url: string, telephony: string | null, db: string): string {
  return [
    `AgentOS Comms listening on ${url}  (db: ${db}, telephony: ${telephony ?? 'off'})`,
    '',
    'Create an agent (prints its token once):',
    '  npx agentos-comms agent create --name "My agent" --phone +15550100001 --json',
    '',
    'Connect an MCP client over Streamable HTTP:',
    `  { "mcpServers": { "comms": { "type": "http", "url": "${url}/mcp",`,
    '      "headers": { "Authorization": "Bearer <token>" } } } }',
    '',
    'Or over stdio:',
    '  { "mcpServers": { "comms": { "command": "npx", "args": ["agentos-comms", "stdio"],',
    '      "env": { "COMMS_AGENT_TOKEN": "<token>" } } } }',
    '',
    `Health: ${url}/health   Readiness: ${url}/health/ready`,
  ].join('\n');
}
