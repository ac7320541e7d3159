import { spawn } from 'node:child_process';

export interface ProcessResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** The program could not be started at all (`ENOENT`: not installed or not on PATH; `EACCES`: not executable). */
export class ProgramNotFoundError extends Error {
  override readonly name = 'ProgramNotFoundError';

  constructor(readonly program: string, readonly code: string) {
    super(`cannot run ${program} (${code})`);
  }
}

/** The program ran past its deadline and was killed. */
export class ProgramTimeoutError extends Error {
  override readonly name = 'ProgramTimeoutError';
}

/** Bounds what a misbehaving program can make us buffer (5,000 characters of speech is about 15 MB of WAV). */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024;
const MAX_STDERR_CHARS = 4000;

/**
 * Runs a program without a shell (arguments are never parsed), feeds `stdin`, and collects its output.
 * The program is killed when `timeoutMs` passes or when its output grows past the cap.
 */
export function runProgram(program: string, args: readonly string[], options: { stdin?: string; timeoutMs: number }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);

    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };

    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(() => reject(err.code === 'ENOENT' || err.code === 'EACCES' ? new ProgramNotFoundError(program, err.code) : err));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) child.kill('SIGKILL');
      else stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk;
    });
    child.on('close', (exitCode, signal) => {
      finish(() => {
        if (timedOut) reject(new ProgramTimeoutError(`${program} did not finish within ${options.timeoutMs} ms`));
        else resolve({ stdout: Buffer.concat(stdout), stderr: stderr.slice(0, MAX_STDERR_CHARS), exitCode, signal });
      });
    });
    // A program that exits without reading stdin closes the pipe: that is its answer, not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
