import type { App } from '../composition/build-app.js';

/** What `serve` prints once listening: where the data is, how to get a token and connect an MCP client. */
export function startBanner(url: string, app: App): string {
  const { config } = app.loaded;
  return [
    `AgentOS Comms listening on ${url}  (db: ${config.db.use}, telephony: ${app.ports.telephony?.id ?? 'off'})`,
    `Data folder: ${config.dataDir}`,
    '',
    'Create an agent (prints its token once, and the client set-up):',
    '  npx agentos-comms agent create --name "My agent" --phone +15550100001 --email agent@example.com --whatsapp +15550100002',
    '',
    'Connect an MCP client over Streamable HTTP:',
    `  { "mcpServers": { "comms": { "type": "http", "url": "${url}/mcp",`,
    '      "headers": { "Authorization": "Bearer <token>" } } } }',
    '',
    'Or print a ready-to-paste configuration: npx agentos-comms connect --client claude-code --token <token>',
    '',
    ...(app.runner.get('comms_demo_inbound')
      ? ['Demo mode: make a person reply with', '  npx agentos-comms demo inbound --agent <agentId> --channel sms --from +15550100100 --body "Hi!"', '']
      : []),
    `Health: ${url}/health   Readiness: ${url}/health/ready`,
  ].join('\n');
}
