#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isDomainError } from '../../ports/errors.js';
import { buildApp } from '../composition/build-app.js';
import { loadConfig } from '../config/load-config.js';
import { startServer } from '../http/serve.js';
import { runStdioHost } from '../mcp/stdio-host.js';
import { startBanner } from './banner.js';

const USAGE = `Usage: agentos-comms <command> [--config FILE]

Commands:
  serve                       HTTP server: MCP at /mcp, REST at /api/v1, webhooks, /health
  stdio                       MCP over stdin/stdout, as the agent of COMMS_AGENT_TOKEN
  migrate                     apply pending database migrations
  agent create --name N [--phone E164] [--email ADDRESS] [--whatsapp E164] [--callback-url URL] [--json]
                              create an agent and print its token (shown once)

Config: --config FILE, else COMMS_CONFIG, else the built-in config/default.yaml (SQLite + demo provider).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      name: { type: 'string' },
      phone: { type: 'string' },
      email: { type: 'string' },
      whatsapp: { type: 'string' },
      'callback-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 1;
  }
  const loaded = loadConfig({ file: values.config });

  switch (command) {
    case 'serve': {
      const app = await buildApp(loaded, { migrate: true });
      const running = await startServer(app);
      console.log(startBanner(running.url, app.ports.telephony?.id ?? null, app.loaded.config.db.use));
      const shutdown = (): void => {
        running.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return new Promise<number>(() => undefined);
    }
    case 'stdio': {
      const app = await buildApp(loaded, { migrate: true });
      try {
        await runStdioHost(app, process.env.COMMS_AGENT_TOKEN);
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'migrate': {
      const app = await buildApp(loaded, { logFd: 2 });
      try {
        const applied = await app.ports.db.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'agent': {
      if (sub !== 'create') break;
      const app = await buildApp(loaded, { migrate: true });
      try {
        const input = { name: values.name, phone: values.phone, email: values.email, whatsapp: values.whatsapp, callbackUrl: values['callback-url'] };
        const created = (await app.runner.run('comms_create_agent', { kind: 'admin' }, JSON.parse(JSON.stringify(input)))) as Record<string, unknown>;
        console.log(values.json ? JSON.stringify(created) : `agent ${created.agentId as string}\ntoken ${created.token as string} (shown once)`);
      } finally {
        await app.close();
      }
      return 0;
    }
  }
  console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isDomainError(err)) {
      console.error(`error ${err.code}: ${err.message}${err.nextStep ? `\n${err.nextStep}` : ''}`);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  },
);
