#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDomainError } from '../../ports/errors.js';
import { packageRoot } from '../config/package-root.js';
import { parseCli, USAGE, type CliValues } from './cli-options.js';

type Command = (values: CliValues, args: string[]) => Promise<number>;

/** Commands load their modules on demand: `--help` and `--version` answer without loading the server. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import('./commands/serve.js')).serve,
  stdio: async () => (await import('./commands/stdio.js')).stdio,
  migrate: async () => (await import('./commands/migrate.js')).migrate,
  agent: async () => (await import('./commands/agent.js')).agent,
  config: async () => (await import('./commands/config.js')).config,
  connect: async () => (await import('./commands/connect.js')).connect,
  doctor: async () => (await import('./commands/doctor.js')).doctor,
  demo: async () => (await import('./commands/demo.js')).demo,
  scenarios: async () => (await import('./commands/scenarios.js')).scenarios,
  audit: async () => (await import('./commands/audit.js')).audit,
  keys: async () => (await import('./commands/keys.js')).keys,
  setup: async () => (await import('./commands/setup.js')).setup,
};

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv);
  if (values.version) {
    console.log(version());
    return 0;
  }
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const load = COMMANDS[command];
  if (!load) {
    console.error(`unknown command: ${command}\n\n${USAGE}`);
    return 1;
  }
  return (await load())(values, args);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isDomainError(err)) {
      console.error(`error ${err.code}: ${err.message}${err.nextStep ? `\n${err.nextStep}` : ''}`);
    } else if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  },
);
