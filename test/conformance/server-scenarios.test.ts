import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICABLE_SCENARIOS, runScenario, serverScenarios, whyNotApplicable } from '../../scripts/conformance/scenarios.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// dns-rebinding-protection has its own test (dns-rebinding.test.ts), which also checks why it is refused.
const HERE = APPLICABLE_SCENARIOS.filter((s) => s !== 'dns-rebinding-protection');

describe('MCP conformance: every server scenario of the official suite that applies (npm run conformance runs them all)', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer();
    ({ token } = await server.createAgent({ name: 'Conformance', phone: '+15550100042' }));
  });
  afterAll(() => server?.close());

  it('classifies every server scenario of the installed suite: applies, or says why not', async () => {
    const unclassified = (await serverScenarios()).filter((s) => !(APPLICABLE_SCENARIOS as readonly string[]).includes(s) && !whyNotApplicable(s));
    expect(unclassified).toEqual([]);
  }, 60_000);

  it.each(HERE)('%s passes', async (scenario) => {
    const { checks, output } = await runScenario(`${server.url}/mcp`, token, scenario);
    expect(checks.length, output).toBeGreaterThan(0);
    expect(checks.filter((c) => c.status === 'FAILURE'), output).toEqual([]);
  }, 120_000);
});
