import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { runCli, REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';

interface SetupJson {
  status: { done: boolean; steps: Array<{ step: string; done: boolean; detail: string }>; channels: Array<{ channel: string; provider: string | null; credentialsRef: string | null }>; testMessage: { status: string; arrived: boolean } | null };
  agent: { agentId: string; token: string | null };
  client: { client: string; text: string } | null;
}

const OWNED = '+15550100011';
const PERSON = '+15550100151';
const KEY = randomBytes(32).toString('base64');
/** Nothing listens on port 9 (discard): the public URL check fails fast. */
const UNREACHABLE = 'http://127.0.0.1:9';

/** A fresh data folder per run, no config files, demo defaults. */
function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { COMMS_DATA_DIR: tempDir('agentos-setup-'), COMMS_CONFIG: '', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: '', ...extra };
}
/** The parts of setup.yaml the tests read. */
interface Overlay { usage: { tiers: { standard: { spend: Record<string, string | null> } } } }
const overlayOf = (env: Record<string, string>) => parseYaml(readFileSync(join(env.COMMS_DATA_DIR!, 'setup.yaml'), 'utf8')) as Overlay;
const stepsDone = (json: SetupJson) => Object.fromEntries(json.status.steps.map((s) => [s.step, s.done]));

// Each run spawns the CLI from sources and applies every migration: tens of seconds on a loaded machine.
describe('agentos-comms setup', { timeout: 600_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [OWNED] });
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  const twilio = (authToken: string) => JSON.stringify({ accountSid: sim.accountSid, authToken, baseUrl: sim.baseUrl });

  it('--yes on the demo providers: every step done, the overlay written, the client configuration printed', async () => {
    const env = freshEnv();
    const result = await runCli(['setup', '--yes', '--json', '--quiet-hours', 'off', '--spend-per-day', '20', '--name', 'Front desk'], env);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as SetupJson;
    expect(json.status.done).toBe(true);
    expect(stepsDone(json)).toEqual({ providers: true, publicUrl: true, database: true, firstAgent: true, number: true, defaults: true, testMessage: true });
    expect(json.status.testMessage).toMatchObject({ status: 'delivered', arrived: true });
    expect(json.agent.token).toMatch(/^aoc_/);
    // connect's printer, for the default client, with the new agent's token.
    expect(json.client).toMatchObject({ client: 'claude-code', text: expect.stringContaining(`COMMS_AGENT_TOKEN=${json.agent.token}`) });
    const overlay = overlayOf(env);
    expect(overlay).toMatchObject({ telephony: { use: 'mock' }, compliance: { quietHours: { enabled: false } }, setup: { firstAgentId: json.agent.agentId, completedAt: expect.any(String) } });
    expect(overlay.usage.tiers.standard).toMatchObject({ spend: { perDay: '20', perMonth: '500' }, actions: { sms: { perMinute: 30 } } });
    // Progress went to stderr (--json); with --yes no question was put.
    expect(result.stderr).toContain('tier standard: 20 a day, 500 a month; quiet hours off');
    expect(result.stderr).not.toContain('Spending cap per day');

    // The overlay is config read at start: the next command sees the agent and the choices.
    const list = await runCli(['agent', 'list', '--json'], env);
    expect((JSON.parse(list.stdout) as { agents: Array<{ name: string; channels: Array<{ address: string }> }> }).agents).toEqual([
      expect.objectContaining({ name: 'Front desk', channels: [expect.objectContaining({ address: '+15550100100' })] }),
    ]);
    const shown = await runCli(['config', 'show', '--json'], env);
    expect(shown.stdout).toContain('setup.yaml');
  });

  it('asks each question when run without --yes, answers piped to its standard input', async () => {
    const env = freshEnv();
    // telephony, email, whatsapp providers; spend per day, per month, quiet hours; name, email; number; test recipient.
    const answers = ['', 'mock', '', '35.5', 'none', 'off', 'Piped agent', '', 'demo', ''].join('\n');
    const result = await runCli(['setup'], env, 240_000, REPO_ROOT, `${answers}\n`);
    expect(result.code, result.stderr).toBe(0);
    for (const question of ['telephony provider (twilio, vonage, mock) [mock]:', 'Spending cap per day in USD', 'Quiet hours', 'Agent name [My agent]:', 'Its number: demo, existing', 'Send a test SMS to']) {
      expect(result.stdout).toContain(question);
    }
    expect(result.stdout).toContain('arrived: the provider reports it delivered');
    expect(result.stdout).toMatch(/Agent agt_\S+ token \(shown once/);
    expect(overlayOf(env).usage.tiers.standard.spend).toEqual({ perDay: '35.5', perMonth: null });
  });

  it('ends with SETUP_ANSWER_MISSING naming the flag when piped answers run out, and with --yes when a required flag is absent', async () => {
    const piped = await runCli(['setup'], freshEnv(), 240_000, REPO_ROOT, 'twilio\n');
    expect(piped.code).toBe(1);
    expect(piped.stderr).toMatch(/error SETUP_ANSWER_MISSING: .*--telephony-credentials/);

    const env = freshEnv({ COMMS_CREDENTIALS_KEY: KEY });
    const result = await runCli(['setup', '--yes', '--telephony-provider', 'twilio'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error SETUP_ANSWER_MISSING: .*pass --telephony-credentials/);
    expect(existsSync(join(env.COMMS_DATA_DIR!, 'setup.yaml'))).toBe(false);
  });

  it('against the Twilio simulator: credentials verified live and stored, the number\'s webhooks printed, the test message sent there', async () => {
    const env = freshEnv({ COMMS_CREDENTIALS_KEY: KEY });
    const before = sim.requests.length;
    const result = await runCli([
      'setup', '--yes', '--json', '--telephony-provider', 'twilio', '--telephony-credentials', twilio(sim.authToken), '--public-url', UNREACHABLE,
      '--quiet-hours', 'off', '--number', 'existing', '--phone', OWNED, '--test-to', PERSON,
    ], env);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as SetupJson;
    expect(json.status.channels.find((c) => c.channel === 'telephony')).toMatchObject({ provider: 'twilio', credentialsRef: 'setup-telephony' });
    // The check was a free authenticated read at the provider, before anything was stored.
    expect(sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)[0]).toMatch(new RegExp(`^GET /2010-04-01/Accounts/${sim.accountSid}`));
    // No server answers at the public URL: said, and setup goes on (doctor checks it again later).
    expect(result.stderr).toContain('not reachable yet');
    expect(result.stderr).toContain(`POST ${UNREACHABLE}/webhooks/sms`);
    expect(stepsDone(json)).toMatchObject({ providers: true, publicUrl: false, number: true });
    expect(sim.messages.map((m) => ({ from: m.from, to: m.to }))).toContainEqual({ from: OWNED, to: PERSON });
    expect(json.status.testMessage?.status).toMatch(/^(queued|sent|delivered)$/);
    // The overlay names the stored set, never the credentials.
    const overlay = readFileSync(join(env.COMMS_DATA_DIR!, 'setup.yaml'), 'utf8');
    expect(parseYaml(overlay)).toMatchObject({ telephony: { use: 'twilio', credentialsRef: 'setup-telephony' }, publicBaseUrl: UNREACHABLE });
    expect(overlay).not.toContain(sim.authToken);
    expect(result.stdout + result.stderr).not.toContain(sim.authToken);
  });

  it('refuses credentials the simulator refuses with the provider\'s code, and writes nothing', async () => {
    const env = freshEnv({ COMMS_CREDENTIALS_KEY: KEY });
    const wrong = 'wrong-token-0123456789abcdef0123';
    const result = await runCli(['setup', '--yes', '--telephony-provider', 'twilio', '--telephony-credentials', twilio(wrong)], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error PROVIDER_AUTH_FAILED/);
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(existsSync(join(env.COMMS_DATA_DIR!, 'setup.yaml'))).toBe(false);
    const stored = await runCli(['config', 'show', '--json'], env);
    expect(stored.stdout).not.toContain('credentialsRef');
  });
});
