import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { CLI_ARGS, REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';

const OWNED = '+15550100012';
/** Nothing listens on port 9 (discard): the public URL check fails fast. */
const UNREACHABLE = 'http://127.0.0.1:9';

/** A word for the shell `script` runs the command with. */
const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

interface TerminalRun { code: number | null; screen: string; unanswered: string | null }

/**
 * Runs the CLI on a real terminal: util-linux `script` gives it a pseudo-terminal and copies everything the terminal
 * shows (the program's output AND the echo of what is typed) to its stdout. Each answer is typed once its question
 * is on the screen, as a person would, so the terminal's echo is whatever the CLI left it at for that question.
 */
function runOnTerminal(args: string[], env: NodeJS.ProcessEnv, answers: Array<[prompt: RegExp, answer: string]>, timeoutMs = 240_000): Promise<TerminalRun> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, ...CLI_ARGS, ...args].map(quote).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, ...env, TERM: 'dumb' } });
    let screen = '';
    let answeredUpTo = 0;
    const pending = [...answers];
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      const next = pending[0];
      if (next && next[0].test(screen.slice(answeredUpTo))) {
        pending.shift();
        answeredUpTo = screen.length;
        child.stdin.write(`${next[1]}\r`);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen, unanswered: pending[0]?.[0].source ?? null });
    });
  });
}

describe('agentos-comms setup on a terminal', { timeout: 600_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [OWNED] });
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());

  it('never shows a typed secret: not echoed while typed, not in the summary', async () => {
    const env = { COMMS_DATA_DIR: tempDir('agentos-setup-tty-'), COMMS_CONFIG: '', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: '', COMMS_CREDENTIALS_KEY: randomBytes(32).toString('base64') };
    const options = JSON.stringify({ baseUrl: sim.baseUrl });
    const run = await runOnTerminal([
      'setup', '--telephony-provider', 'twilio', '--email-provider', 'mock', '--whatsapp-provider', 'mock', '--public-url', UNREACHABLE,
      '--spend-per-day', 'none', '--spend-per-month', 'none', '--quiet-hours', 'off', '--name', 'Terminal agent',
      '--number', 'existing', '--phone', OWNED, '--test-to', 'none',
    ], env, [
      [/twilio accountSid: $/, sim.accountSid],
      [/twilio authToken: $/, sim.authToken],
      [/More options as JSON[^\n]*: $/, options],
      [/Its email address[^\n]*: $/, ''],
    ]);
    expect(run.unanswered, run.screen).toBeNull();
    expect(run.code, run.screen).toBe(0);
    // The credentials were typed and accepted: the provider checked them, and setup stored them.
    expect(run.screen).toContain('telephony: twilio credentials accepted');
    expect(run.screen).toContain('Setup done.');
    // What is not secret is echoed as usual; the secret never reached the screen, nor the options that may hold one.
    expect(run.screen).toContain(sim.accountSid);
    expect(run.screen).not.toContain(sim.authToken);
    expect(run.screen).not.toContain(sim.authToken.slice(0, 8));
    expect(run.screen).not.toContain(options);
    expect(readFileSync(join(env.COMMS_DATA_DIR, 'setup.yaml'), 'utf8')).not.toContain(sim.authToken);
  });
});
