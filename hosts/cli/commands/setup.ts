import type { SetupStatus } from '../../../core/setup/setup-status.js';
import { buildApp, type App } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import { clientSetup } from '../clients/client-setup.js';
import { printResult, table } from '../output.js';
import { flagAnswers, promptAnswers, type Answers } from '../setup/answers.js';
import { chooseAgent, chooseProviders, chooseSettings, run, testMessage, type Wizard } from '../setup/wizard-steps.js';
import { clientName, clientSetupText, connectionFor } from './connect.js';
import { loadCliConfig, OPERATOR } from './load.js';

const status = (app: App): Promise<SetupStatus> => run<SetupStatus>(app, 'comms_get_setup_status', {});

/**
 * `setup`: the first-run wizard, over the same use cases as the web setup page. Interactive unless
 * `--yes`; every answer also has a flag. With --json the questions go to stderr and the result to stdout.
 */
export async function setup(values: CliValues): Promise<number> {
  const out = values.json ? process.stderr : process.stdout;
  const answers = values.yes ? flagAnswers(out) : promptAnswers(process.stdin, out);
  try {
    return await wizard(values, answers);
  } finally {
    answers.close();
  }
}

async function wizard(values: CliValues, answers: Answers): Promise<number> {
  const client = clientName(values.client ?? 'claude-code');
  let app = await buildApp(loadCliConfig(values), { ...OPERATOR, migrate: false });
  try {
    const applied = await app.ports.db.migrate();
    answers.say(`Database ${app.ports.db.location ?? app.ports.db.dialect}: ${applied.length ? `${applied.length} migrations applied` : 'up to date'}`);
    const w: Wizard = { app, values, answers, interactive: !values.yes };
    const before = await status(app);
    if (before.done) answers.say(`Setup was marked done at ${before.completedAt}; this run updates it.`);
    await chooseProviders(w, before);
    await chooseSettings(w, await status(app));
    // The choices are config read at start: the rest runs on a server built with them.
    await app.close();
    app = await buildApp(loadCliConfig(values), OPERATOR);
    w.app = app;
    const agent = await chooseAgent(w, await status(app));
    await testMessage(w, await status(app));
    const final = await run<SetupStatus>(app, 'comms_setup_complete', {});
    const connection = agent.token ? clientSetup(client, connectionFor(app, agent.token, values.transport)) : null;
    printResult(values.json, { status: final, agent, client: connection }, () => summary(final, agent, connection ? clientSetupText(connection) : null));
    return 0;
  } finally {
    await app.close();
  }
}

function summary(final: SetupStatus, agent: { agentId: string; token: string | null }, clientText: string | null): string {
  return [
    '\nSetup done.',
    table(final.steps.map((s) => [`${s.done ? 'done' : 'todo'}  ${s.step}`, s.detail]), 20),
    `Settings written to ${final.overlay} (read at start; files given with --config win).`,
    '',
    agent.token ? `Agent ${agent.agentId} token (shown once; only its hash is stored): ${agent.token}` : `Agent ${agent.agentId}: agentos-comms connect --client <name> --token <its token>`,
    ...(clientText ? ['', clientText] : []),
    '',
    'Start the server: agentos-comms serve',
  ].join('\n');
}
