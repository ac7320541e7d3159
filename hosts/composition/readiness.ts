import type { Provided } from '../../core/context.js';
import type { ReadinessProbe } from '../../ports/plugin.js';
import type { Database } from '../../ports/repositories.js';

export interface Readiness {
  ready: boolean;
  /** Each check's outcome: `ok (adapter)`, `not configured`, or why it failed. */
  checks: Record<string, string>;
  failed: string[];
}

/** A probe that hangs counts as failed: a readiness answer must come while the orchestrator waits. */
const PROBE_TIMEOUT_MS = 2000;

async function probe(run: () => Promise<void>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([run().then(() => null), timeout]);
  } catch (err) {
    return (err as Error).message || 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What /health/ready reports: a database round trip, and each configured adapter's own probe where it has
 * one (ReadinessProbe: free of provider cost). An adapter without a probe counts as ready once built.
 */
export async function readinessOf(db: Provided<Database>, adapters: Record<string, Provided<unknown> | null | undefined>): Promise<Readiness> {
  const checks: Record<string, string> = {};
  const failed: string[] = [];
  const dbProblem = await probe(() => db.port.ping());
  checks.db = dbProblem ? `unreachable: ${dbProblem}` : `ok (${db.id})`;
  if (dbProblem) failed.push('db');
  await Promise.all(Object.entries(adapters).map(async ([section, adapter]) => {
    if (!adapter) {
      checks[section] = 'not configured';
      return;
    }
    const own = adapter.port as ReadinessProbe;
    const problem = own.readiness ? await probe(() => own.readiness!()) : null;
    checks[section] = problem ? `not ready (${adapter.id}): ${problem}` : `ok (${adapter.id})`;
    if (problem) failed.push(section);
  }));
  return { ready: failed.length === 0, checks, failed: failed.sort() };
}
