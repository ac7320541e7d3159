import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { USE_CASES } from '../../core/use-cases.js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { CLI_ARGS, REPO_ROOT, runCli, startCliServer } from '../support/cli.js';
import { callErr, callOk } from '../support/mcp-client.js';
import { tempDir } from '../support/plugin-context.js';

const AGENT_NUMBER = '+15550100021';

describe('command line: agent create, stdio MCP server, serve', { timeout: 180_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER] });
  const dir = tempDir('agentos-cli-');
  const configFile = join(dir, 'comms.yaml');
  const env = { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', LOG_LEVEL: 'warn' };
  let ownerToken = '';
  const stdioClient = async (token: string, extraArgs: string[] = []): Promise<Client> => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...CLI_ARGS, 'stdio', '--config', configFile, ...extraArgs],
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, COMMS_AGENT_TOKEN: token } as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    return client;
  };

  beforeAll(async () => {
    await sim.start();
    writeFileSync(configFile, stringify({
      server: { host: '127.0.0.1', port: '${PORT:-0}' },
      dataDir: dir,
      log: { level: '${LOG_LEVEL:-warn}' },
      db: { use: 'sqlite', options: { path: join(dir, 'cli.sqlite') } },
      telephony: { use: 'twilio', options: { accountSid: '${TWILIO_ACCOUNT_SID}', authToken: '${TWILIO_AUTH_TOKEN}', baseUrl: sim.baseUrl } },
      // The test numbers fit every North American zone only a few hours a day (see test-server.ts).
      compliance: { quietHours: { enabled: false } },
    }));
    env.TWILIO_ACCOUNT_SID = sim.accountSid;
    env.TWILIO_AUTH_TOKEN = sim.authToken;
  });
  afterAll(() => sim.stop());

  it('creates an agent and prints its token once, as JSON', async () => {
    const result = await runCli(['agent', 'create', '--name', 'CLI agent', '--phone', AGENT_NUMBER, '--email', 'cli@example.com', '--whatsapp', '+15550100023', '--json', '--config', configFile], env);
    expect(result.code, result.stderr).toBe(0);
    const created = JSON.parse(result.stdout) as { agentId: string; token: string; channels: unknown[] };
    expect(created.channels).toEqual([
      { channel: 'sms', address: AGENT_NUMBER }, { channel: 'email', address: 'cli@example.com' }, { channel: 'whatsapp', address: '+15550100023' },
    ]);
    expect(created.agentId).toMatch(/^agt_/);
    expect(created.token).toMatch(/^aoc_/);
    ownerToken = created.token;
  });

  it('serves MCP over stdio with the agent token: list tools, send an SMS, read it back', async () => {
    const client = await stdioClient(ownerToken);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['comms_send_message', 'comms_get_messages']));
      const sent = await callOk<{ messageId: string; providerMessageId: string }>(client, 'comms_send_message', { channel: 'sms', to: '+15550100180', body: 'over stdio' });
      expect(sim.messages.find((m) => m.sid === sent.providerMessageId)).toMatchObject({ from: AGENT_NUMBER, to: '+15550100180', body: 'over stdio' });
      expect(sim.specViolations).toEqual([]);
      const listed = await callOk<{ messages: Array<{ id: string; body: string }> }>(client, 'comms_get_messages', { channel: 'sms' });
      expect(listed.messages[0]).toMatchObject({ id: sent.messageId, body: 'over stdio' });
    } finally {
      await client.close();
    }
  });

  it('reports coded errors over stdio: no number, and a provider 4xx for a number the account does not own', async () => {
    const bare = JSON.parse((await runCli(['agent', 'create', '--name', 'no phone', '--json', '--config', configFile], env)).stdout) as { token: string };
    const noPhone = await stdioClient(bare.token);
    try {
      expect((await callErr(noPhone, 'comms_send_message', { channel: 'sms', to: '+15550100180', body: 'x' })).code).toBe('CHANNEL_NOT_CONFIGURED');
    } finally {
      await noPhone.close();
    }
    const stranger = JSON.parse((await runCli(['agent', 'create', '--name', 'stranger', '--phone', '+15550100029', '--json', '--config', configFile], env)).stdout) as { token: string };
    const client = await stdioClient(stranger.token);
    try {
      expect((await callErr(client, 'comms_send_message', { channel: 'sms', to: '+15550100181', body: 'not my number' })).code).toBe('PROVIDER_REJECTED');
      const listed = await callOk<{ messages: Array<{ body: string; status: string }> }>(client, 'comms_get_messages', {});
      expect(listed.messages[0]).toMatchObject({ body: 'not my number', status: 'failed' });
    } finally {
      await client.close();
    }
  });

  it('offers over stdio the default toolsets, or those --toolsets names; refuses an unknown toolset', async () => {
    const namesOf = async (args: string[]): Promise<string[]> => {
      const client = await stdioClient(ownerToken, args);
      try {
        return (await client.listTools()).tools.map((t) => t.name).sort();
      } finally {
        await client.close();
      }
    };
    const agentTools = (toolsets: string[]) => USE_CASES.filter((u) => u.auth === 'agent' && toolsets.includes(u.toolset)).map((u) => u.name).sort();
    expect(await namesOf([])).toEqual(agentTools(['messaging', 'calls', 'threads']));
    expect(await namesOf(['--toolsets', 'compliance,usage'])).toEqual(agentTools(['compliance', 'usage']));
    expect(await namesOf(['--toolsets', 'all'])).toEqual(USE_CASES.filter((u) => u.auth === 'agent').map((u) => u.name).sort());
    const wrong = await runCli(['stdio', '--toolsets', 'messaging,sms', '--config', configFile], { ...env, COMMS_AGENT_TOKEN: ownerToken });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Unknown toolset sms');
    expect(wrong.stderr).toContain('messaging, calls, threads');
  });

  it('refuses to start stdio with a wrong token, saying on stderr only which database it looked in', async () => {
    const result = await runCli(['stdio', '--config', configFile], { ...env, COMMS_AGENT_TOKEN: 'aoc_bogus' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('UNAUTHORIZED');
    expect(result.stderr).toContain(`COMMS_AGENT_TOKEN is not the token of an active agent in SQLite file ${join(dir, 'cli.sqlite')}`);
    expect(result.stderr).not.toContain('Authorization: Bearer');
  });

  it('refuses to start when a credential the configured adapter needs is missing, naming the variable', async () => {
    const result = await runCli(['serve', '--config', configFile], { ...env, TWILIO_AUTH_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('telephony.options.authToken');
    expect(result.stderr).toContain('TWILIO_AUTH_TOKEN');
  });

  it('says in one line which port is taken and how to change it, and exits 1', async () => {
    const { child, url } = await startCliServer(['--config', configFile], env);
    try {
      const port = new URL(url).port;
      const result = await runCli(['serve', '--config', configFile], { ...env, PORT: port });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`error CONFIG_INVALID: port ${port} on 127.0.0.1 is already in use.`);
      expect(result.stderr).toContain('PORT=');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('serves HTTP with health checks and stops cleanly on SIGTERM', async () => {
    const { child, url, output } = await startCliServer(['--config', configFile], env);
    try {
      expect(output()).toContain('agent create');
      expect(output()).toContain(`Data folder: ${dir}`);
      expect(output()).toContain('/mcp');
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    }
  });
});

describe('one data folder, whatever the working directory', { timeout: 180_000 }, () => {
  it('finds the agent created from one folder when a client starts stdio from another (per-user data folder)', async () => {
    const home = tempDir('agentos-xdg-');
    const env = { XDG_DATA_HOME: home, COMMS_DATA_DIR: '', COMMS_CONFIG: '', LOG_LEVEL: 'warn' };
    const created = await runCli(['agent', 'create', '--name', 'Anywhere', '--json'], env, undefined, tempDir('agentos-cwd-a-'));
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...CLI_ARGS, 'stdio'],
      cwd: tempDir('agentos-cwd-b-'),
      env: { ...process.env, ...env, COMMS_AGENT_TOKEN: token } as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'elsewhere', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await callOk<{ name: string }>(client, 'comms_get_agent', {})).name).toBe('Anywhere');
    } finally {
      await client.close();
    }
    expect(existsSync(join(home, 'agentos-comms', 'agentos-comms.sqlite'))).toBe(true);
  });
});
