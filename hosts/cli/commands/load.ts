import { loadConfig } from '../../config/load-config.js';
import type { LoadedConfig } from '../../config/app-config.js';
import type { CliValues } from '../cli-options.js';

export function loadCliConfig(values: CliValues): LoadedConfig {
  return loadConfig({ files: values.config ?? [] });
}
