/**
 * `npm run conformance`: runs every server scenario of the official MCP conformance suite
 * (@modelcontextprotocol/conformance, under Node 22) against this server, started in-process with a test
 * agent, and prints each one's result. Exits 1 when a scenario that applies fails, or when the suite
 * has a scenario not yet classified here (scripts/conformance/scenarios.ts).
 */
import { startTestServer } from '../../test/support/test-server.js';
import { APPLICABLE_SCENARIOS, passed, runScenario, serverScenarios, whyNotApplicable } from './scenarios.js';

const server = await startTestServer();
let failures = 0;
try {
  const { token } = await server.createAgent({ name: 'Conformance', phone: '+15550100041' });
  for (const scenario of await serverScenarios()) {
    const applies = (APPLICABLE_SCENARIOS as readonly string[]).includes(scenario);
    const why = whyNotApplicable(scenario);
    const { checks } = await runScenario(`${server.url}/mcp`, token, scenario);
    const ok = passed(checks);
    const failed = checks.filter((c) => c.status === 'FAILURE').map((c) => `${c.id}: ${c.errorMessage ?? ''}`);
    const warnings = checks.filter((c) => c.status === 'WARNING').length;
    if (applies) {
      if (!ok) failures++;
      console.log(`${ok ? 'PASS' : 'FAIL'}  ${scenario}${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}${ok ? '' : `\n      ${failed.join('\n      ')}`}`);
    } else if (why) {
      console.log(`n/a   ${scenario} (${ok ? 'passes' : 'fails'}): ${why}`);
    } else {
      failures++;
      console.log(`????  ${scenario} (${ok ? 'passes' : 'fails'}): not classified; add it to scripts/conformance/scenarios.ts`);
    }
  }
} finally {
  await server.close();
}
console.log(failures === 0 ? '\nEvery applicable scenario passes.' : `\n${failures} scenario(s) need attention.`);
process.exit(failures === 0 ? 0 : 1);
