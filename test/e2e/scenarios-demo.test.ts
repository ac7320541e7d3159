import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../../ports/scenarios.js';
import { eventually } from '../support/callback-receiver.js';
import { runCli } from '../support/cli.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { tempDir } from '../support/plugin-context.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';

const NAMES = ['sms-reply', 'email-attachment', 'whatsapp-template', 'voice-message', 'live-call'];
/** Demo mode: every channel and the voice pipeline on the demo adapters, as in config/default.yaml. */
const DEMO = { email: { use: 'mock' }, whatsapp: { use: 'mock' }, tts: { use: 'mock' }, storage: { use: 'local' }, brain: { use: 'mock' } };

function rest(server: TestServer, method: string, path: string, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
}

function expectAllPassed(report: ScenarioReport): void {
  expect(report.steps.filter((step) => !step.passed), JSON.stringify(report.steps)).toEqual([]);
  expect(report.passed).toBe(true);
  for (const step of report.steps) expect(step).toMatchObject({ name: expect.any(String), detail: expect.any(String), durationMs: expect.any(Number) });
}

describe('scenarios in demo mode over REST (what the console calls)', { timeout: 120_000 }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ extra: DEMO });
  });
  afterAll(() => server?.close());

  it('lists the five scenarios with their channels', async () => {
    const res = await rest(server, 'GET', '/scenarios');
    expect(res.status).toBe(200);
    const { scenarios } = (await res.json()) as { scenarios: Array<{ name: string; channels: string[] }> };
    expect(scenarios.map((s) => s.name)).toEqual(NAMES);
    expect(scenarios.find((s) => s.name === 'live-call')?.channels).toEqual(['voice']);
  });

  it.each(NAMES)('runs %s: every step passes', async (name) => {
    const res = await rest(server, 'POST', `/scenarios/${name}/runs`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as ScenarioReport;
    expect(report.scenario).toBe(name);
    expectAllPassed(report);
  });

  it('shows the live call\'s barge-in and transfer in the call record', async () => {
    const report = (await (await rest(server, 'POST', '/scenarios/live-call/runs')).json()) as ScenarioReport;
    expect(report.steps.map((step) => step.name)).toEqual([
      'scenario agent is ready', 'agent places a live call', 'contact answers', 'agent answers the contact',
      'contact interrupts the agent (barge-in)', 'agent transfers the call',
    ]);
    const callId = /^call (\S+) /.exec(report.steps[1]!.detail)![1]!;
    const call = await server.app.ports.db.calls.findById(callId);
    expect(call?.metadata.transferredTo).toBe('+15550100163');
    expect((await server.app.ports.db.turns.list(callId)).some((turn) => turn.speaker === 'agent' && turn.interrupted)).toBe(true);
    // The demo provider ends the call afterwards, as a real one does when the transferred leg hangs up.
    await eventually(async () => ((await server.app.ports.db.calls.findById(callId))?.status === 'completed' ? true : undefined));
  });

  it('runs over MCP as the admin\'s comms_run_scenario tool, the step details marked untrusted', async () => {
    const admin = await connectHttpClient(server.url, ADMIN_TOKEN);
    try {
      const report = await callOk<ScenarioReport & { untrustedFields: string[] }>(admin, 'comms_run_scenario', { name: 'sms-reply' });
      expectAllPassed(report);
      expect(report.untrustedFields).toEqual(['steps[].detail']);
    } finally {
      await admin.close();
    }
  });

  it('runs again on the same data (the WhatsApp window of the first contact is open by now)', async () => {
    expectAllPassed((await (await rest(server, 'POST', '/scenarios/whatsapp-template/runs')).json()) as ScenarioReport);
  });

  it('is for the admin only, and names unknown scenarios', async () => {
    const agent = await server.createAgent({ name: 'Not admin' });
    const forbidden = await rest(server, 'POST', '/scenarios/sms-reply/runs', agent.token);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const unknown = await rest(server, 'POST', '/scenarios/nope/runs');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('scenarios on real providers', { timeout: 60_000 }, () => {
  const twilio = new TwilioSimulator();
  beforeAll(() => twilio.start());
  afterAll(() => twilio.stop());

  it('are refused with SCENARIOS_NOT_ALLOWED unless the config allows them; nothing is sent', async () => {
    const server = await startTestServer({ telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl } }, extra: DEMO });
    try {
      const res = await rest(server, 'POST', '/scenarios/sms-reply/runs');
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'SCENARIOS_NOT_ALLOWED', details: { providers: 'telephony: twilio' } } });
      expect(twilio.messages).toEqual([]);
      expect((await rest(server, 'GET', '/scenarios')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('scenarios from the command line (demo mode)', { timeout: 240_000 }, () => {
  const env = () => ({ COMMS_DATA_DIR: tempDir('agentos-scenarios-cli-'), COMMS_CONFIG: '', LOG_LEVEL: 'warn' });

  it('lists them, runs them all with each step shown, and exits 0', async () => {
    const demo = env();
    const listed = await runCli(['scenarios', 'list', '--json'], demo);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(NAMES);
    const run = await runCli(['scenarios', 'run'], demo);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const name of NAMES) expect(run.stdout).toMatch(new RegExp(`^PASS ${name} \\(\\d+ ms\\)$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}ok {3}contact interrupts the agent \(barge-in\) +\d+ ms {2}cut after \d+ words/m);
    expect(run.stdout).toContain('5 of 5 scenarios passed.');
  });

  it('exits 1 and shows the failed step with its code when a scenario fails', async () => {
    const demo = env();
    const overlay = join(demo.COMMS_DATA_DIR, 'no-brain.yaml');
    writeFileSync(overlay, 'brain:\n  enabled: false\n');
    const run = await runCli(['scenarios', 'run', 'live-call', '--config', overlay, '--json'], demo);
    expect(run.code, run.stderr).toBe(1);
    const [report] = JSON.parse(run.stdout) as ScenarioReport[];
    expect(report).toMatchObject({ scenario: 'live-call', passed: false });
    expect(report!.steps.at(-1)).toMatchObject({ name: 'agent places a live call', passed: false, code: 'CHANNEL_NOT_CONFIGURED' });
  });
});
