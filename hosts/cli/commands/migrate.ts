import { buildApp } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';
import { printResult } from '../output.js';
import { loadCliConfig, OPERATOR } from './load.js';

export async function migrate(values: CliValues): Promise<number> {
  const app = await buildApp(loadCliConfig(values), { ...OPERATOR, migrate: false });
  try {
    const applied = await app.ports.db.migrate();
    printResult(values.json, { applied }, () => (applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date'));
  } finally {
    await app.close();
  }
  return 0;
}
