import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** Runs the CLI from sources, exactly as `agentos-comms` does from dist/ (tsx found from here, whatever the cwd). */
export const CLI_ARGS = ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'hosts', 'cli', 'main.ts')];

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** `stdin`: written to the CLI's standard input, which is then closed (answers to an interactive command, piped). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000, cwd = REPO_ROOT, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd, env: { ...process.env, ...env } });
    if (stdin !== undefined) child.stdin.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `serve` and resolves with the URL from its banner once it is listening. */
export function startCliServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, 'serve', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}
