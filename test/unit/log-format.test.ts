import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';

const run = promisify(execFile);

/** A process that logs one warning the way the server does, with log.format `auto`. */
function loggingProgram(): string {
  const file = join(tempDir('agentos-log-'), 'log.ts');
  writeFileSync(file, [
    `import { createLogger } from ${JSON.stringify(join(REPO_ROOT, 'adapters', 'node', 'pino-logger.ts'))};`,
    `import { logFormat } from ${JSON.stringify(join(REPO_ROOT, 'hosts', 'composition', 'log-format.ts'))};`,
    `createLogger('info', 1, logFormat('auto', 1)).warn({ port: 3000, authToken: 'secret-value' }, 'port in use');`,
  ].join('\n'));
  return file;
}

describe('log format auto', { timeout: 60_000 }, () => {
  const node = [process.execPath, '--import', import.meta.resolve('tsx')];

  it('writes JSON lines, secrets redacted, when the output is not a terminal', async () => {
    const { stdout } = await run(node[0]!, [...node.slice(1), loggingProgram()]);
    expect(JSON.parse(stdout.trim())).toMatchObject({ level: 40, msg: 'port in use', port: 3000, authToken: '[redacted]' });
  });

  it('writes readable lines on a terminal', async () => {
    // `script` (util-linux/bsdutils) runs the program on a pseudo-terminal.
    const { stdout } = await run('script', ['-qec', `${node.map((w) => `'${w}'`).join(' ')} '${loggingProgram()}'`, '/dev/null']);
    const line = stdout.trim();
    expect(line).toContain('port in use');
    expect(line).toMatch(/WARN/);
    expect(line).not.toContain('secret-value');
    expect(() => JSON.parse(line)).toThrow();
  });
});
