import { configReport } from '../../config/config-report.js';
import type { LoadedConfig } from '../../config/app-config.js';
import { printResult, table } from '../output.js';

/** `config show`: the effective configuration, secrets redacted, and where each value came from. */
export async function configShow(loaded: LoadedConfig, json: boolean): Promise<number> {
  const rows = await configReport(loaded);
  printResult(json, { files: loaded.files, settings: rows, unset: Object.fromEntries(loaded.missingEnv), warnings: loaded.warnings }, () =>
    [
      `files (later ones override earlier ones): ${loaded.files.join(', ')}`,
      '',
      table(rows.map((r) => [`${r.path}: ${JSON.stringify(r.value)}`, `# ${r.origin}`])),
      ...[...loaded.missingEnv].map(([path, variable]) => `unset: ${path} (${variable} is not set)`),
      ...loaded.warnings.map((w) => `warning: ${w}`),
    ].join('\n'));
  return 0;
}
