import type { ScenarioReport, ScenarioSummary } from '../../../ports/scenarios.js';
import { buildApp } from '../../composition/build-app.js';
import { startServer } from '../../http/serve.js';
import type { CliValues } from '../cli-options.js';
import { printResult, table } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

const USAGE = 'usage: agentos-comms scenarios list | scenarios run [NAME]';
const ADMIN = { kind: 'admin' } as const;

/**
 * `scenarios list|run`: the end-to-end demo scenarios. A run serves this config on a free loopback port
 * for its length, because a live call's contact reaches the server through its voice socket and webhooks.
 */
export async function scenarios(values: CliValues, [sub, name, ...rest]: string[]): Promise<number> {
  if ((sub !== 'list' && sub !== 'run') || (sub === 'list' && name) || rest.length > 0) {
    console.error(USAGE);
    return 1;
  }
  const loaded = loadCliConfig(values);
  if (sub === 'list') {
    const app = await buildApp(loaded, OPERATOR);
    try {
      const { scenarios: list } = (await app.runner.run('comms_list_scenarios', ADMIN, {})) as { scenarios: ScenarioSummary[] };
      printResult(values.json, list, () => table(list.map((s) => [s.name, `${s.title} (${s.channels.join(', ')})`])));
    } finally {
      await app.close();
    }
    return 0;
  }
  // Its own listener, whatever port a running server holds; in demo mode the contact reaches it there.
  loaded.config.server = { ...loaded.config.server, host: '127.0.0.1', port: 0 };
  if (!loaded.config.scenarios.allowRealProviders) loaded.config.publicBaseUrl = null;
  const app = await buildApp(loaded, OPERATOR);
  const running = await startServer(app).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  try {
    const names = name ? [name] : app.ports.scenarios?.list().map((s) => s.name) ?? [];
    const reports: ScenarioReport[] = [];
    for (const scenario of names) {
      const report = (await app.runner.run('comms_run_scenario', ADMIN, { name: scenario })) as ScenarioReport;
      reports.push(report);
      if (!values.json) console.log(`${describe(report)}\n`);
    }
    const failed = reports.filter((report) => !report.passed).length;
    if (values.json) printResult(true, reports, () => '');
    else console.log(`${reports.length - failed} of ${reports.length} scenarios passed.`);
    return failed === 0 ? 0 : 1;
  } finally {
    await running.close();
  }
}

function describe(report: ScenarioReport): string {
  const total = report.steps.reduce((sum, step) => sum + step.durationMs, 0);
  const lines = report.steps.map((step) => {
    const mark = step.passed ? 'ok  ' : 'FAIL';
    const code = step.code ? `${step.code}: ` : '';
    return `  ${mark} ${step.name.padEnd(46)} ${String(step.durationMs).padStart(6)} ms  ${code}${step.detail}`;
  });
  return [`${report.passed ? 'PASS' : 'FAIL'} ${report.scenario} (${total} ms)`, ...lines].join('\n');
}
