import { authenticate } from '../../../core/auth/authenticate.js';
import { DomainError, isDomainError } from '../../../ports/errors.js';
import { buildApp, type App } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import { CLIENTS, clientSetup, type ClientSetup, httpConnection, stdioConnection, type ClientName, type Connection } from '../clients/client-setup.js';
import { printResult } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

/** The connection a client should use: stdio (starts this CLI) or HTTP to the configured address. */
export function connectionFor(app: App, token: string, transport: string | undefined): Connection {
  const { config, files } = app.loaded;
  if (transport === 'http') return httpConnection(config.publicBaseUrl ?? `http://${config.server.host}:${config.server.port}`, token);
  if (transport !== undefined && transport !== 'stdio') {
    throw new DomainError('INVALID_INPUT', `unknown transport "${transport}"`, 'Use --transport stdio (the client starts the server) or --transport http (a running server).');
  }
  // The setup overlay is read from the data folder anyway: naming it again would only repeat it.
  return stdioConnection(token, files.slice(1).filter((file) => file !== app.loaded.setupOverlay), config.dataDir);
}

export function clientName(value: string | undefined): ClientName {
  if (CLIENTS.includes(value as ClientName)) return value as ClientName;
  throw new DomainError('INVALID_INPUT', value ? `unknown client "${value}"` : '--client is required', `Use --client ${CLIENTS.join('|')}.`);
}

/** A client configuration as `connect` prints it: where it goes, then what to paste or run. */
export function clientSetupText(setup: ClientSetup): string {
  return `${setup.where}\n\n${setup.text}`;
}

/** `connect --client …`: a ready-to-paste client configuration for an agent token checked against the database. */
export async function connect(values: CliValues): Promise<number> {
  const client = clientName(values.client);
  const token = values.token ?? process.env.COMMS_AGENT_TOKEN;
  const app = await buildApp(loadCliConfig(values), OPERATOR);
  try {
    if (!token) {
      throw new DomainError('INVALID_INPUT', 'no agent token given', 'Pass --token (printed by `agentos-comms agent create`), or get a new one with `agentos-comms agent rotate-token AGENT_ID`.');
    }
    const caller = await authenticate(app.ports, token).catch((err: unknown) => {
      if (!isDomainError(err) || err.code !== 'UNAUTHORIZED') throw err;
      throw new DomainError('UNAUTHORIZED', `the token is not that of an active agent in ${app.ports.db.location ?? app.loaded.config.db.use}.`, 'Check --config and COMMS_DATA_DIR, or create the agent with `agentos-comms agent create`.');
    });
    const setup = clientSetup(client, connectionFor(app, token, values.transport));
    printResult(values.json, { ...setup, agentId: caller.kind === 'agent' ? caller.agentId : null }, () => clientSetupText(setup));
  } finally {
    await app.close();
  }
  return 0;
}
