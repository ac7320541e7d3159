import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DomainError } from '../../ports/errors.js';
import { interpolateEnv } from './interpolate.js';

/** One configuration source, already interpolated: the embedded defaults or one file given by the user. */
export interface ConfigLayer {
  /** Absolute path of the file. */
  file: string;
  /** Its folder: relative paths written in it resolve against it. */
  dir: string;
  value: Record<string, unknown>;
  /** Paths whose environment variable was unset, with its name. */
  missing: Map<string, string>;
  /** Paths whose value came from an environment variable, with its name. */
  fromEnv: Map<string, string>;
}

const CONFIG_FILE = /\.(ya?ml|json)$/i;

/**
 * The files named by `--config` (repeatable) or COMMS_CONFIG (several joined with the path delimiter), in
 * order; a folder stands for its `*.yaml`, `*.yml` and `*.json` files in name order.
 */
export function configFiles(given: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string[] {
  const named = given.length > 0 ? given : (env.COMMS_CONFIG ?? '').split(delimiter).filter(Boolean);
  return named.flatMap((name) => {
    const path = resolve(cwd, name);
    if (!existsSync(path)) {
      throw new DomainError('CONFIG_INVALID', `config file not found: ${path}`, 'Pass an existing file or folder with --config or COMMS_CONFIG.');
    }
    if (!statSync(path).isDirectory()) return [path];
    const files = readdirSync(path).filter((f) => CONFIG_FILE.test(f)).sort().map((f) => join(path, f));
    if (files.length === 0) {
      throw new DomainError('CONFIG_INVALID', `config folder ${path} holds no .yaml, .yml or .json file`, 'Put the config files in it, or pass the files themselves.');
    }
    return files;
  });
}

export function readLayer(file: string, env: NodeJS.ProcessEnv): ConfigLayer {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DomainError('CONFIG_INVALID', `config file ${file} is not valid YAML: ${(err as Error).message}`, 'Fix the YAML syntax.');
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new DomainError('CONFIG_INVALID', `config file ${file} must hold a mapping of settings`, 'Write settings as key: value lines (see config/default.yaml).');
  }
  const { value, missing, fromEnv } = interpolateEnv(raw ?? {}, env);
  return { file, dir: dirname(file), value: value as Record<string, unknown>, missing, fromEnv };
}
