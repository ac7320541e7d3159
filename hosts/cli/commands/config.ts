import type { CliValues } from '../cli-options.js';
import { configShow } from './config-show.js';
import { loadCliConfig } from './load.js';

export async function config(values: CliValues, [sub]: string[]): Promise<number> {
  if (sub !== 'show') {
    console.error('usage: agentos-comms config show [--json] [--config FILE|FOLDER]...');
    return 1;
  }
  return configShow(loadCliConfig(values), values.json);
}
