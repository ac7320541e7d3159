import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { ScenarioStepReport } from '../../ports/scenarios.js';

/** Ends a scenario: the failed step is already in the report. */
class StepFailed extends Error {}

/**
 * The steps of one scenario run, timed and reported in order. A step that throws is reported failed with
 * its error code, and no later step runs.
 */
export class StepLog {
  readonly steps: ScenarioStepReport[] = [];

  constructor(private readonly scenario: string, private readonly logger: Logger) {}

  /** Runs one step: `fn` returns the step's value and the detail line reported when it passes. */
  async step<T>(name: string, fn: () => Promise<{ value: T; detail: string }>): Promise<T> {
    const started = performance.now();
    try {
      const { value, detail } = await fn();
      this.steps.push({ name, passed: true, detail, durationMs: elapsed(started) });
      return value;
    } catch (err) {
      const code = isDomainError(err) ? err.code : 'INTERNAL';
      const detail = isDomainError(err) ? err.message : 'unexpected error (see the server log)';
      if (!isDomainError(err)) this.logger.error({ err, scenario: this.scenario, step: name }, 'scenario step failed unexpectedly');
      this.steps.push({ name, passed: false, detail, durationMs: elapsed(started), code });
      throw new StepFailed(name, { cause: err });
    }
  }

  get passed(): boolean {
    return this.steps.every((step) => step.passed);
  }
}

export function isStepFailure(err: unknown): boolean {
  return err instanceof StepFailed;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Polls `probe` until it gives a value; a scenario step that waits on the other side gives up with a clear error. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      throw new DomainError('PROVIDER_TIMEOUT', `Gave up after ${timeoutMs / 1000} s waiting for ${what}.`, 'Check the server log and the provider side; then run the scenario again.');
    }
    await sleep(50);
  }
}
