import type { AgentView } from '../../../core/agents/agent-view.js';
import { DomainError } from '../../../ports/errors.js';
import { buildApp, type App } from '../../composition/build-app.js';
import { givenOnly, type CliValues } from '../cli-options.js';
import { clientSetup } from '../clients/client-setup.js';
import { printResult, table } from '../output.js';
import { connectionFor } from './connect.js';
import { loadCliConfig, OPERATOR } from './load.js';

const ADMIN = { kind: 'admin' } as const;

type Created = { agentId: string; token: string; callbackSecret: string; channels: Array<{ channel: string; address: string }> };

/** `--phone none` removes the channel in `agent update`. */
const orNone = (value: string | undefined): string | null | undefined => (value === 'none' ? null : value);

function agentText(a: AgentView): string {
  return table([
    ['agent', a.agentId],
    ['name', a.name],
    ['status', a.status],
    ['callback URL', a.callbackUrl ?? '(server default)'],
    ...a.channels.map((c) => [c.channel, c.address] as const),
    ['created', a.createdAt],
  ]);
}

function createdText(app: App, created: Created): string {
  const connection = connectionFor(app, created.token, undefined);
  const claudeCode = clientSetup('claude-code', connection);
  const desktop = clientSetup('claude-desktop', connection);
  return [
    `Agent ${created.agentId} created${created.channels.length ? `: ${created.channels.map((c) => `${c.channel} ${c.address}`).join(', ')}` : ''}.`,
    `Token (shown once; only its hash is stored): ${created.token}`,
    `Callback signing secret: ${created.callbackSecret}`,
    '',
    `Claude Code — ${claudeCode.where}`,
    `  ${claudeCode.text}`,
    '',
    `Claude Desktop, Cursor (mcpServers) — ${desktop.where}`,
    desktop.text,
    '',
    'Other clients (vscode, inspector) or HTTP: agentos-comms connect --client <name> --token <token> [--transport http]',
  ].join('\n');
}

const SUBCOMMANDS: Readonly<Record<string, (app: App, values: CliValues, agentId: string | undefined) => Promise<void>>> = {
  async create(app, values) {
    const input = givenOnly({ name: values.name, phone: values.phone, email: values.email, whatsapp: values.whatsapp, callbackUrl: values['callback-url'] });
    const created = (await app.runner.run('comms_create_agent', ADMIN, input)) as Created;
    printResult(values.json, { ...created, connection: connectionFor(app, created.token, undefined) }, () => createdText(app, created));
  },
  async list(app, values) {
    const { agents } = (await app.runner.run('comms_list_agents', ADMIN, {})) as { agents: AgentView[] };
    printResult(values.json, { agents }, () =>
      agents.length === 0
        ? 'no agents yet: agentos-comms agent create --name "My agent"'
        : table(agents.map((a) => [a.agentId, `${a.status.padEnd(8)} ${a.name}  ${a.channels.map((c) => `${c.channel} ${c.address}`).join(', ')}`])));
  },
  async show(app, values, agentId) {
    const agent = (await app.runner.run('comms_get_agent', ADMIN, { agentId })) as AgentView;
    printResult(values.json, agent, () => agentText(agent));
  },
  async update(app, values, agentId) {
    const input = givenOnly({
      agentId, name: values.name, status: values.status,
      phone: orNone(values.phone), email: orNone(values.email), whatsapp: orNone(values.whatsapp), callbackUrl: orNone(values['callback-url']),
    });
    const agent = (await app.runner.run('comms_update_agent', ADMIN, input)) as AgentView;
    printResult(values.json, agent, () => agentText(agent));
  },
  async disable(app, values, agentId) {
    const agent = (await app.runner.run('comms_update_agent', ADMIN, { agentId, status: 'disabled' })) as AgentView;
    printResult(values.json, agent, () => `Agent ${agent.agentId} is disabled: its token no longer works. Enable it with: agentos-comms agent update ${agent.agentId} --status active`);
  },
  async 'rotate-token'(app, values, agentId) {
    const rotated = (await app.runner.run('comms_rotate_agent_token', ADMIN, { agentId })) as { agentId: string; token: string };
    printResult(values.json, rotated, () => `New token of ${rotated.agentId} (shown once; the old one no longer works): ${rotated.token}\nUpdate your client: agentos-comms connect --client <name> --token <new token>`);
  },
};

/** `agent …`: the operator's agent commands, run as admin directly against the configured database. */
export async function agent(values: CliValues, [sub, agentId]: string[]): Promise<number> {
  const run = sub ? SUBCOMMANDS[sub] : undefined;
  if (!run) {
    console.error(`usage: agentos-comms agent ${Object.keys(SUBCOMMANDS).join('|')} … (see --help)`);
    return 1;
  }
  if (sub !== 'create' && sub !== 'list' && !agentId) {
    throw new DomainError('INVALID_INPUT', `agent ${sub} needs the agent id`, `Run: agentos-comms agent ${sub} AGENT_ID (agentos-comms agent list shows them).`);
  }
  const app = await buildApp(loadCliConfig(values), OPERATOR);
  try {
    await run(app, values, agentId);
  } finally {
    await app.close();
  }
  return 0;
}
