import { useState } from 'preact/hooks';
import { api, describeError, inDemoMode } from './api.js';
import { usePoll } from './hooks.js';
import type { ScenarioReport, ScenarioSummary } from './types.js';
import './scenarios.css';

type Outcome = { state: 'running' } | { state: 'done'; report: ScenarioReport } | { state: 'error'; message: string };

/**
 * The demo scenarios, run from the console through the REST route of comms_run_scenario (one request per
 * scenario: the server plays both the agent and the contact, and answers with each step's pass/fail).
 */
export function Scenarios() {
  const list = usePoll(() => api<{ scenarios: ScenarioSummary[] }>('GET', '/scenarios'), 60_000);
  const demo = usePoll(inDemoMode, 60_000);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [busy, setBusy] = useState(false);
  const scenarios = list.data?.scenarios ?? [];

  const run = async (name: string) => {
    setOutcomes((o) => ({ ...o, [name]: { state: 'running' } }));
    const outcome: Outcome = await api<ScenarioReport>('POST', `/scenarios/${encodeURIComponent(name)}/runs`, {}).then(
      (report) => ({ state: 'done', report }),
      (err: unknown) => ({ state: 'error', message: describeError(err) }),
    );
    setOutcomes((o) => ({ ...o, [name]: outcome }));
  };
  // One at a time: the scenarios share the server's demo contact, as the CLI runs them.
  const runAll = async (names: string[]) => {
    setBusy(true);
    for (const name of names) await run(name);
    setBusy(false);
  };

  const results = Object.values(outcomes).filter((o) => o.state !== 'running');
  const passed = results.filter((o) => o.state === 'done' && o.report.passed).length;
  return (
    <>
      <h1>Scenarios</h1>
      {demo.data === false ? (
        <p class="banner">Not in demo mode: scenarios are refused unless the server config sets scenarios.allowRealProviders (they would send real messages).</p>
      ) : null}
      <p>End-to-end demos: a scenario agent sends and calls through the same tools an agent uses, and the contact answers through the provider side.</p>
      <p>
        <button type="button" disabled={busy || scenarios.length === 0} onClick={() => void runAll(scenarios.map((s) => s.name))}>Run all scenarios</button>
      </p>
      <p role="status" data-testid="scenario-summary">
        {results.length ? `${passed} of ${results.length} scenarios passed${busy ? ', running…' : '.'}` : busy ? 'Running…' : ''}
      </p>
      {list.error ? <p role="alert" class="error">{list.error}</p> : null}
      {scenarios.map((s) => (
        <section key={s.name} aria-labelledby={`scenario-${s.name}`} data-scenario={s.name}>
          <h2 id={`scenario-${s.name}`}>{s.title}</h2>
          <p class="hint">{s.name} · {s.channels.join(', ')}</p>
          <button type="button" disabled={busy || outcomes[s.name]?.state === 'running'} onClick={() => void run(s.name)}>Run {s.title}</button>
          <Result outcome={outcomes[s.name]} />
        </section>
      ))}
    </>
  );
}

function Result({ outcome }: { outcome: Outcome | undefined }) {
  if (!outcome) return null;
  if (outcome.state === 'running') return <p class="verdict">Running…</p>;
  if (outcome.state === 'error') return <p class="verdict error">Not run: {outcome.message}</p>;
  const { report } = outcome;
  return (
    <>
      <p class={`verdict ${report.passed ? 'ok' : 'error'}`} data-testid="scenario-verdict">{report.passed ? 'Passed' : 'Failed'}</p>
      <ol class="steps">
        {report.steps.map((step) => (
          <li key={step.name} class={step.passed ? 'ok' : 'error'} data-step-passed={String(step.passed)}>
            <strong>{step.passed ? 'pass' : 'fail'}</strong> {step.name} <small>{step.durationMs} ms</small>
            {/* The detail may quote the contact's side (third-party text): shown as plain text only. */}
            <br /><span class="detail">{step.detail}{step.code ? ` (${step.code})` : ''}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
