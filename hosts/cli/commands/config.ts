import { configReport } from '../../config/config-report.js';
import type { CliValues } from '../cli-options.js';
import { printResult, table } from '../output.js';
import { loadCliConfig } from './load.js';

/** `config show`: the effective configuration, secrets redacted, and where each value came from. */
export async function config(values: CliValues, [sub]: string[]): Promise<number> {
  if (sub !== 'show') {
    console.error('usage: agentos-comms config show [--json] [--config FILE|FOLDER]...');
    return 1;
  }
  const loaded = loadCliConfig(values);
  const rows = await configReport(loaded);
  printResult(values.json, { files: loaded.files, settings: rows, unset: Object.fromEntries(loaded.missingEnv), warnings: loaded.warnings }, () =>
    [
      `files (later ones override earlier ones): ${loaded.files.join(', ')}`,
      '',
      table(rows.map((r) => [`${r.path}: ${JSON.stringify(r.value)}`, `# ${r.origin}`])),
      ...[...loaded.missingEnv].map(([path, variable]) => `unset: ${path} (${variable} is not set)`),
      ...loaded.warnings.map((w) => `warning: ${w}`),
    ].join('\n'));
  return 0;
}
