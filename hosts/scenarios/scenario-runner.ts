import type { Logger } from '../../ports/runtime.js';
import type { ScenarioReport, ScenarioRunner, ScenarioSummary } from '../../ports/scenarios.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';
import type { ScenarioContact } from './scenario-contact.js';
import { isStepFailure, StepLog } from './scenario-steps.js';
import { SCENARIOS, type ScenarioAgent } from './scenarios.js';

/** The agent every scenario acts as: found by name, created on the first run. */
export const SCENARIO_AGENT_NAME = 'Scenario runner';

const ADMIN = { kind: 'admin' } as const;

/**
 * Runs the scenarios in this process: the agent's side through the use-case runner (the tools' own code
 * path, with their input checks), the contact's side through `contact`.
 */
export class HostScenarioRunner implements ScenarioRunner {
  constructor(private readonly runner: UseCaseRunner, private readonly contact: ScenarioContact, private readonly logger: Logger) {}

  list(): ScenarioSummary[] {
    return SCENARIOS.map(({ name, title, channels }) => ({ name, title, channels }));
  }

  async run(name: string): Promise<ScenarioReport> {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    if (!scenario) throw new Error(`unknown scenario ${name}`);
    const log = new StepLog(name, this.logger);
    try {
      const agentId = await log.step('scenario agent is ready', async () => {
        const value = await this.scenarioAgent();
        return { value, detail: `agent ${value}` };
      });
      await scenario.run(log, this.actingAs(agentId), this.contact);
    } catch (err) {
      if (!isStepFailure(err)) throw err;
    }
    return { scenario: name, passed: log.passed, steps: log.steps };
  }

  private actingAs(agentId: string): ScenarioAgent {
    return {
      id: agentId,
      call: async <T>(tool: string, input: Record<string, unknown>) => (await this.runner.run(tool, { kind: 'agent', agentId }, input)) as T,
    };
  }

  /** The scenario agent with the contact's idea of its addresses (a simulator owns only the numbers it was given). */
  private async scenarioAgent(): Promise<string> {
    const { agent } = this.contact.addresses;
    const addresses = { phone: agent.phone, email: agent.email, whatsapp: agent.whatsapp };
    const { agents } = (await this.runner.run('comms_list_agents', ADMIN, {})) as { agents: Array<{ agentId: string; name: string; status: string }> };
    const existing = agents.find((candidate) => candidate.name === SCENARIO_AGENT_NAME);
    if (!existing) {
      const created = (await this.runner.run('comms_create_agent', ADMIN, { name: SCENARIO_AGENT_NAME, ...addresses })) as { agentId: string };
      return created.agentId;
    }
    await this.runner.run('comms_update_agent', ADMIN, { agentId: existing.agentId, status: 'active', ...addresses });
    return existing.agentId;
  }
}
