import { DomainError } from '../../ports/errors.js';
import type { ScenarioReport, ScenarioRunner, ScenarioSummary } from '../../ports/scenarios.js';
import { requireAdmin } from '../auth/authenticate.js';
import type { CorePorts } from '../context.js';
import { DEMO_PROVIDER } from '../demo/demo-inbound.js';
import { defineUseCase } from '../use-case.js';

/** The ports whose messages reach people: on a real provider a scenario would send real messages and cost money. */
const SENDING_PORTS = ['telephony', 'email', 'whatsapp'] as const;

const summarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'title', 'channels'],
  properties: { name: { type: 'string' }, title: { type: 'string' }, channels: { type: 'array', items: { type: 'string' } } },
} as const;

const reportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario', 'passed', 'steps'],
  properties: {
    scenario: { type: 'string' },
    passed: { type: 'boolean' },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'passed', 'detail', 'durationMs'],
        properties: {
          name: { type: 'string' },
          passed: { type: 'boolean' },
          detail: { type: 'string' },
          durationMs: { type: 'number' },
          code: { type: 'string', description: 'Error code of a failed step.' },
        },
      },
    },
  },
} as const;

function runnerOf(ports: CorePorts): ScenarioRunner {
  if (!ports.scenarios) {
    throw new DomainError('CHANNEL_NOT_CONFIGURED', 'This server offers no scenario runner.', 'Run scenarios on a server started with `agentos-comms serve`, or with `agentos-comms scenarios run`.');
  }
  return ports.scenarios;
}

/** Scenarios send messages and place calls: only on the demo adapters, unless the operator said otherwise. */
function requireScenariosAllowed(ports: CorePorts): void {
  if (ports.settings.scenarios.allowRealProviders) return;
  const real = SENDING_PORTS.flatMap((port) => {
    const adapter = ports[port];
    return adapter && adapter.id !== DEMO_PROVIDER ? [`${port}: ${adapter.id}`] : [];
  });
  if (real.length === 0) return;
  throw new DomainError(
    'SCENARIOS_NOT_ALLOWED',
    `Scenarios run only in demo mode: this server uses real providers (${real.join(', ')}), where they would send real messages and cost money.`,
    'Run them against the demo adapters (use: mock), or set scenarios.allowRealProviders: true in the server config if you accept the cost.',
    { providers: real.join(', ') },
  );
}

export const listScenarios = defineUseCase<Record<string, never>, { scenarios: ScenarioSummary[] }>({
  name: 'comms_list_scenarios',
  title: 'List the demo scenarios',
  description: 'Admin only. The end-to-end demo scenarios comms_run_scenario can run, with the channels each uses.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: { type: 'object', additionalProperties: false, required: ['scenarios'], properties: { scenarios: { type: 'array', items: summarySchema } } },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'demo',
  rest: { method: 'GET', path: '/scenarios' },
  async run(ctx) {
    requireAdmin(ctx);
    return { scenarios: runnerOf(ctx.ports).list() };
  },
});

export const runScenario = defineUseCase<{ name: string }, ScenarioReport>({
  name: 'comms_run_scenario',
  title: 'Run a demo scenario',
  description:
    'Admin only; demo mode only unless config sets scenarios.allowRealProviders. Runs one end-to-end scenario: an agent ' +
    'of its own sends and calls through the same tools an agent uses, and the contact answers through the provider side. ' +
    'Returns each step with pass/fail, a short detail and its duration; a failed step ends the scenario with its error code.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 64, description: 'A name from comms_list_scenarios.' } },
  },
  output: reportSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  auth: 'admin',
  toolset: 'demo',
  untrusted: ['steps[].detail'],
  rest: { method: 'POST', path: '/scenarios/:name/runs', successStatus: 200 },
  async run(ctx, input) {
    requireAdmin(ctx);
    const runner = runnerOf(ctx.ports);
    const known = runner.list().map((scenario) => scenario.name);
    if (!known.includes(input.name)) {
      throw new DomainError('NOT_FOUND', `No scenario named "${input.name}".`, `Use one of: ${known.join(', ')}.`);
    }
    requireScenariosAllowed(ctx.ports);
    return runner.run(input.name);
  },
});
