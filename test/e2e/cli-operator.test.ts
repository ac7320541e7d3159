import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendGridSimulator } from '../simulators/sendgrid/sendgrid-simulator.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { VonageTelephonySimulator } from '../simulators/vonage/vonage-telephony-simulator.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { callErr, callOk } from '../support/mcp-client.js';
import { tempDir } from '../support/plugin-context.js';

interface AgentJson { agentId: string; name: string; status: string; channels: Array<{ channel: string; address: string }> }
interface StdioConnection { transport: 'stdio'; command: string; args: string[]; env: Record<string, string> }

/** The operator's command line: version and help, agents, client set-up, doctor. Runs the CLI from sources. */
// Each step spawns the CLI from sources (several seconds apiece on a loaded machine): generous timeouts.
describe('operator CLI', { timeout: 240_000 }, () => {
  const dataDir = tempDir('agentos-cli-op-');
  const env = { COMMS_DATA_DIR: dataDir, COMMS_CONFIG: '', LOG_LEVEL: 'warn' };
  const cli = async (...args: string[]) => {
    const result = await runCli(args, env);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await cli(...args, '--json')) as T;
  const stdioClient = async (connection: StdioConnection, cwd: string): Promise<Client> => {
    const transport = new StdioClientTransport({ command: connection.command, args: connection.args, cwd, env: { ...process.env, ...connection.env } as Record<string, string>, stderr: 'pipe' });
    const client = new Client({ name: 'operator-test', version: '1.0.0' });
    await client.connect(transport);
    return client;
  };

  it('answers --version and --help without starting anything, and refuses an unknown command', async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect((await cli('--version')).trim()).toBe(version);
    const help = await cli('--help');
    for (const command of ['serve', 'stdio', 'migrate', 'doctor', 'config show', 'agent list', 'agent rotate-token', 'connect --client', 'demo inbound']) expect(help).toContain(command);
    const unknown = await runCli(['launch'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command: launch');
  });

  let ops: AgentJson;
  let token = '';

  it('creates an agent and prints its token and the Claude Code set-up with absolute paths and the data folder', async () => {
    const created = await cli('agent', 'create', '--name', 'Ops', '--phone', '+1 (555) 010-0061', '--email', 'ops@example.com');
    token = /Token \(shown once; only its hash is stored\): (aoc_\S+)/.exec(created)?.[1] ?? '';
    expect(token).toMatch(/^aoc_/);
    expect(created).toContain('sms +15550100061');
    expect(created).toContain(`claude mcp add comms --env COMMS_AGENT_TOKEN=${token} --env COMMS_DATA_DIR=${dataDir} -- ${process.execPath}`);
  });

  it('lists, shows and updates agents (a channel removed with none)', async () => {
    const { agents } = await json<{ agents: AgentJson[] }>('agent', 'list');
    ops = agents.find((a) => a.name === 'Ops')!;
    expect(ops.channels).toEqual(expect.arrayContaining([{ channel: 'sms', address: '+15550100061' }, { channel: 'email', address: 'ops@example.com' }]));
    expect(await cli('agent', 'list')).toContain(ops.agentId);
    expect((await json<AgentJson>('agent', 'show', ops.agentId)).name).toBe('Ops');
    const updated = await json<AgentJson>('agent', 'update', ops.agentId, '--name', 'Ops desk', '--email', 'none', '--whatsapp', '+15550100062');
    expect(updated).toMatchObject({ name: 'Ops desk', channels: expect.arrayContaining([{ channel: 'whatsapp', address: '+15550100062' }]) });
    expect(updated.channels.some((c) => c.channel === 'email')).toBe(false);
  });

  it('prints a client set-up that works from any folder; disable and rotate-token stop the old token at once', async () => {
    const setup = await json<{ client: string; text: string; agentId: string }>('connect', '--client', 'claude-desktop', '--token', token);
    expect(setup.agentId).toBe(ops.agentId);
    const connection = (JSON.parse(setup.text) as { mcpServers: { comms: Omit<StdioConnection, 'transport'> } }).mcpServers.comms;
    expect(connection.env).toEqual({ COMMS_AGENT_TOKEN: token, COMMS_DATA_DIR: dataDir });
    const client = await stdioClient({ transport: 'stdio', ...connection }, tempDir('agentos-elsewhere-'));
    try {
      expect((await callOk<{ name: string }>(client, 'comms_get_agent', {})).name).toBe('Ops desk');
      expect(await cli('agent', 'disable', ops.agentId)).toContain('is disabled');
      expect((await callErr(client, 'comms_get_agent', {})).code).toBe('UNAUTHORIZED');
      expect((await json<AgentJson>('agent', 'update', ops.agentId, '--status', 'active')).status).toBe('active');
      expect((await callOk<{ name: string }>(client, 'comms_get_agent', {})).name).toBe('Ops desk');

      const rotated = await json<{ token: string }>('agent', 'rotate-token', ops.agentId);
      expect(rotated.token).not.toBe(token);
      // The running stdio server holds the old token: it stops working at once.
      expect((await callErr(client, 'comms_get_agent', {})).code).toBe('UNAUTHORIZED');
    } finally {
      await client.close();
    }
    const refused = await runCli(['connect', '--client', 'cursor', '--token', token], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`not that of an active agent in SQLite file ${join(dataDir, 'agentos-comms.sqlite')}`);
  });

  it('prints the set-up of every client, for stdio and HTTP', async () => {
    const { token } = await json<{ token: string }>('agent', 'create', '--name', 'Clients');
    const text = async (client: string, transport = 'stdio') => (await json<{ text: string }>('connect', '--client', client, '--token', token, '--transport', transport)).text;
    expect(JSON.parse(await text('vscode'))).toMatchObject({ servers: { comms: { type: 'stdio', command: process.execPath, env: { COMMS_AGENT_TOKEN: token } } } });
    expect(JSON.parse(await text('cursor', 'http'))).toEqual({ mcpServers: { comms: { url: 'http://127.0.0.1:3000/mcp', headers: { Authorization: `Bearer ${token}` } } } });
    expect(await text('claude-code', 'http')).toBe(`claude mcp add --transport http comms http://127.0.0.1:3000/mcp --header 'Authorization: Bearer ${token}'`);
    expect(await text('inspector')).toMatch(new RegExp(`^npx -y @modelcontextprotocol/inspector@0\\.15\\.0 -e COMMS_AGENT_TOKEN=${token} -e COMMS_DATA_DIR=\\S+ -- ${process.execPath} `));
  });

  describe('doctor', () => {
    const sim = new TwilioSimulator();
    const vonage = new VonageTelephonySimulator();
    const sendGrid = new SendGridSimulator();
    const dir = tempDir('agentos-doctor-');
    const overlay = (authToken: string): string => {
      const file = join(dir, `twilio-${authToken.length}.yaml`);
      writeFileSync(file, stringify({ publicBaseUrl: 'http://127.0.0.1:9', telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken, baseUrl: sim.baseUrl } } }));
      return file;
    };
    /** Telephony over [twilio, vonage] (a failover list) and email over SendGrid, with Vonage's secret as given. */
    const failoverOverlay = (vonageSecret: string): string => {
      const file = join(dir, `failover-${vonageSecret.length}.yaml`);
      const vonageOptions = { apiKey: vonage.apiKey, apiSecret: vonageSecret, signatureSecret: vonage.signatureSecret, restHost: vonage.baseUrl, apiHost: vonage.baseUrl };
      writeFileSync(file, stringify({
        publicBaseUrl: 'http://127.0.0.1:9',
        telephony: { use: ['twilio', 'vonage'], providers: { twilio: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl }, vonage: vonageOptions } },
        email: { use: 'sendgrid', options: { apiKey: sendGrid.apiKey, baseUrl: sendGrid.baseUrl } },
      }));
      return file;
    };
    beforeAll(() => Promise.all([sim.start(), vonage.start(), sendGrid.start()]));
    afterAll(() => Promise.all([sim.stop(), vonage.stop(), sendGrid.stop()]));

    it('checks config, data folder, database, public URL and the provider\'s credentials, without sending anything', async () => {
      const { ok, checks } = await json<{ ok: boolean; checks: Array<{ check: string; status: string; detail: string }> }>('doctor', '--config', overlay(sim.authToken));
      expect(ok).toBe(true);
      const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
      expect(byName['data folder']).toMatchObject({ status: 'ok', detail: `${dataDir} is writable` });
      expect(byName.database).toMatchObject({ status: 'ok' });
      expect(byName['public URL']).toMatchObject({ status: 'warn', detail: expect.stringContaining('telephony cannot reach webhooks') });
      expect(byName['telephony (twilio)']).toMatchObject({ status: 'ok', detail: expect.stringContaining('is active') });
      expect(sim.messages).toEqual([]);
      expect(sim.calls).toEqual([]);
      expect(sim.specViolations).toEqual([]);
    });

    it('checks every member of a failover list and other providers than Twilio (SendGrid), sending nothing', async () => {
      const { ok, checks } = await json<{ ok: boolean; checks: Array<{ check: string; status: string; detail: string }> }>('doctor', '--config', failoverOverlay(vonage.apiSecret));
      expect(ok).toBe(true);
      const telephony = checks.find((c) => c.check.startsWith('telephony'));
      expect(telephony).toMatchObject({ status: 'ok', detail: expect.stringMatching(/twilio: account .* is active; vonage: account .* answers its balance/) });
      expect(checks.find((c) => c.check === 'email (sendgrid)')).toMatchObject({ status: 'ok', detail: expect.stringContaining('Mail Send access') });
      expect(vonage.sms).toEqual([]);
      expect(sendGrid.mails).toEqual([]);
    });

    it('names the failover member whose credentials are refused, and fails', async () => {
      const result = await runCli(['doctor', '--json', '--config', failoverOverlay('wrong-secret-0123456789')], env);
      expect(result.code).toBe(1);
      const { checks } = JSON.parse(result.stdout) as { checks: Array<{ check: string; status: string; detail: string }> };
      const telephony = checks.find((c) => c.check.startsWith('telephony'));
      expect(telephony).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^PROVIDER_AUTH_FAILED: twilio: account .* is active; vonage: PROVIDER_AUTH_FAILED: Vonage refused the credentials/) });
      expect(telephony?.detail).not.toContain('wrong-secret-0123456789');
    });

    it('fails, exit 1, when the provider refuses the credentials', async () => {
      const result = await runCli(['doctor', '--json', '--config', overlay('wrong-token-0123456789abcdef')], env);
      expect(result.code).toBe(1);
      const { ok, checks } = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ check: string; status: string; detail: string }> };
      expect(ok).toBe(false);
      expect(checks.find((c) => c.check === 'telephony (twilio)')).toMatchObject({ status: 'fail', detail: expect.stringContaining('PROVIDER_AUTH_FAILED') });
    });
  });
});
