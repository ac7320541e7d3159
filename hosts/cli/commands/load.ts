import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import type { LoadedConfig } from '../../config/app-config.js';
import type { BuildAppOptions } from '../../composition/build-app.js';
import type { CliValues } from '../cli-options.js';

/** Operator commands (agent, connect, migrate …) print their own result; logs show only errors. */
export const OPERATOR: BuildAppOptions = { migrate: true, logLevel: 'error' };

/** Where versions before the per-user data folder kept their database: `./data` of the working directory. */
const OLD_DATABASE = 'data/agentos-comms.sqlite';

export function loadCliConfig(values: CliValues): LoadedConfig {
  const loaded = loadConfig({ files: values.config ?? [] });
  if (existsSync(OLD_DATABASE) && resolve('data') !== loaded.config.dataDir) {
    loaded.warnings.push(`${resolve(OLD_DATABASE)} exists but the data folder is now ${loaded.config.dataDir}: set COMMS_DATA_DIR=${resolve('data')} to keep using the old one.`);
  }
  return loaded;
}
