import { parseArgs } from 'node:util';

/** Every option of every command; each command reads the ones it knows. */
const OPTIONS = {
  config: { type: 'string', multiple: true },
  name: { type: 'string' },
  phone: { type: 'string' },
  email: { type: 'string' },
  whatsapp: { type: 'string' },
  'callback-url': { type: 'string' },
  status: { type: 'string' },
  agent: { type: 'string' },
  token: { type: 'string' },
  client: { type: 'string' },
  transport: { type: 'string' },
  toolsets: { type: 'string' },
  channel: { type: 'string' },
  from: { type: 'string' },
  body: { type: 'string' },
  subject: { type: 'string' },
  action: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  'telephony-provider': { type: 'string' },
  'email-provider': { type: 'string' },
  'whatsapp-provider': { type: 'string' },
  'telephony-credentials': { type: 'string' },
  'email-credentials': { type: 'string' },
  'whatsapp-credentials': { type: 'string' },
  'public-url': { type: 'string' },
  'spend-per-day': { type: 'string' },
  'spend-per-month': { type: 'string' },
  'quiet-hours': { type: 'string' },
  number: { type: 'string' },
  'test-to': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

export type CliValues = ReturnType<typeof parseCli>['values'];

export function parseCli(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

export const USAGE = `Usage: agentos-comms <command> [options] [--config FILE|FOLDER]...

Server
  serve                          HTTP server: MCP at /mcp, REST at /api/v1, webhooks, /health
  stdio [--toolsets messaging,calls,...]
                                 MCP over stdin/stdout, as the agent of COMMS_AGENT_TOKEN, offering these
                                 toolsets (default server.mcp.toolsets: messaging, calls, threads; or all)
  migrate                        apply pending database migrations
  doctor                         check config, data folder, database, public URL and provider credentials
  config show                    the effective config, secrets redacted, with where each value came from
  setup [--yes] [flags]          first-run wizard: providers and their credentials (verified live), public URL,
                                 limits, migrations, first agent and its number, test message, client set-up.
                                 Every answer has a flag; --yes never asks (a missing one: SETUP_ANSWER_MISSING):
                                 --telephony-provider|--email-provider|--whatsapp-provider mock|twilio|…
                                 --telephony-credentials|--email-credentials|--whatsapp-credentials JSON|@FILE
                                 --public-url URL  --spend-per-day N|none  --spend-per-month N|none
                                 --quiet-hours on|off  --name N  --email ADDRESS  --number demo|existing|buy
                                 --phone E164  --test-to ADDRESS|none  --client NAME  --transport stdio|http

Agents (operator; acts directly on the database of the config)
  agent create --name N [--phone E164] [--email ADDRESS] [--whatsapp E164] [--callback-url URL]
                                 create an agent and print its token (shown once) and client set-up
  agent list                     every agent with its addresses
  agent show AGENT_ID
  agent update AGENT_ID [--name N] [--phone E164|none] [--email ADDRESS|none] [--whatsapp E164|none]
                        [--callback-url URL|none] [--status active|disabled]
  agent disable AGENT_ID         its token stops working at once
  agent rotate-token AGENT_ID    a new token; the old one stops working at once

Audit trail (operator)
  audit verify                   recompute the hash chain; exit 1 and name the first broken entry if any
  audit list [--action A] [--agent AGENT_ID] [--since ISO] [--until ISO] [--limit N]
                                 the newest entries first

Stored provider credentials (operator)
  keys rotate                    re-encrypt every stored credential set under COMMS_CREDENTIALS_KEY, opening
                                 the old ones with COMMS_CREDENTIALS_KEY_PREVIOUS; resumable, prints counts

Clients and demo
  connect --client claude-code|claude-desktop|cursor|vscode|inspector [--token TOKEN] [--transport stdio|http]
                                 print a ready-to-paste client configuration
  demo inbound --agent AGENT_ID --channel sms|email|whatsapp --from ADDRESS --body TEXT [--subject S]
                                 (demo mode) a person "replies": stored, forwarded, WhatsApp window opened
  scenarios list                 the end-to-end demo scenarios
  scenarios run [NAME]           (demo mode) run one scenario, or all; prints each step; exit 1 if one fails

Options
  --config FILE|FOLDER           overlays over the embedded defaults, applied in order (repeatable);
                                 else COMMS_CONFIG; data folder: COMMS_DATA_DIR, else the per-user folder
  --json                         machine-readable output (default on a terminal: human-readable)
  --version, --help`;

/** The options that were given, so that a use case's schema sees no undefined keys. */
export function givenOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
