/** One step of a scenario as it ran: a failed step ends its scenario and names the error code. */
export interface ScenarioStepReport {
  name: string;
  passed: boolean;
  /** A short line: what was checked, or why it failed. No bodies, no full contact addresses. */
  detail: string;
  durationMs: number;
  /** The error code of a failed step (INTERNAL for an unexpected failure). */
  code?: string;
}

export interface ScenarioReport {
  scenario: string;
  passed: boolean;
  steps: ScenarioStepReport[];
}

export interface ScenarioSummary {
  name: string;
  title: string;
  /** The channels it uses (sms, email, whatsapp, voice). */
  channels: string[];
}

/**
 * End-to-end demo scenarios: an agent's side driven through the same use cases its tools call, the
 * contact's side played through the provider side. Implemented by the hosts (they hold the runner and
 * the provider side); core only gates and exposes it.
 */
export interface ScenarioRunner {
  list(): ScenarioSummary[];
  /** The scenario's report; unknown names are the caller's to refuse (see `list`). */
  run(name: string): Promise<ScenarioReport>;
}
