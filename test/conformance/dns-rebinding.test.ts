import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../scripts/conformance/scenarios.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('MCP conformance: dns-rebinding-protection (official @modelcontextprotocol/conformance scenario)', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await server.createAgent({ name: 'Conformance', phone: '+15550100041' }));
  });
  afterAll(() => server?.close());

  it('rejects a foreign Host/Origin with 4xx and accepts a localhost one', async () => {
    const { checks, output: stdout } = await runScenario(`${server.url}/mcp`, token, 'dns-rebinding-protection');
    expect(checks.map((c) => [c.id, c.status]), stdout).toEqual([
      ['localhost-host-rebinding-rejected', 'SUCCESS'],
      ['localhost-host-valid-accepted', 'SUCCESS'],
    ]);
    // Refused for its Origin (403), not for want of a token (401).
    expect(checks[0]!.details?.statusCode).toBe(403);
  }, 120_000);
});
