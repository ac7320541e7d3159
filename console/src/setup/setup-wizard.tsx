import { useEffect, useRef, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import { api, describeError } from '../api.js';
import { AgentStep } from './agent-step.js';
import { CompleteStep } from './complete-step.js';
import { DatabaseStep } from './database-step.js';
import { DefaultsStep } from './defaults-step.js';
import { NumberStep } from './number-step.js';
import { ProvidersStep } from './providers-step.js';
import { PublicUrlStep } from './public-url-step.js';
import type { ProviderChoices, SetupStatus, SetupStepName, StepProps } from './setup-types.js';
import { TestMessageStep } from './test-message-step.js';

interface StepDef { key: SetupStepName | 'complete'; title: string; view: FunctionComponent<StepProps> }

/** The steps in the order of the terminal wizard's questions; each status step has its page, then "complete". */
const STEPS: readonly StepDef[] = [
  { key: 'providers', title: 'Providers', view: ProvidersStep },
  { key: 'publicUrl', title: 'Public URL', view: PublicUrlStep },
  { key: 'database', title: 'Database', view: DatabaseStep },
  { key: 'firstAgent', title: 'First agent', view: AgentStep },
  { key: 'number', title: 'Its number', view: NumberStep },
  { key: 'defaults', title: 'Limits and compliance', view: DefaultsStep },
  { key: 'testMessage', title: 'Test message', view: TestMessageStep },
  { key: 'complete', title: 'Complete', view: CompleteStep },
];

/** The web setup wizard: the same REST routes as `agentos-comms setup`, one step at a time. */
export function SetupWizard() {
  const [status, setStatus] = useState<SetupStatus | null>(null);
  const [choices, setChoices] = useState<ProviderChoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  const refresh = async (): Promise<SetupStatus> => {
    const next = await api<SetupStatus>('GET', '/setup');
    setStatus(next);
    return next;
  };
  useEffect(() => {
    refresh().catch((err: unknown) => setError(describeError(err)));
    api<ProviderChoices>('GET', '/setup/providers').then(setChoices, (err: unknown) => setError(describeError(err)));
  }, []);
  // A new step takes the focus to its heading, so a screen reader starts reading there.
  useEffect(() => {
    if (moved.current) heading.current?.focus();
  }, [index]);

  if (!status) return <><h1>Setup</h1>{error ? <p role="alert" class="error">{error}</p> : <p>Loading…</p>}</>;
  const steps = STEPS;
  const step = steps[index]!;
  const go = (to: number) => { moved.current = true; setIndex(to); };
  const isDone = (key: StepDef['key']) => (key === 'complete' ? status.done : status.steps.some((s) => s.step === key && s.done));
  const View = step.view;

  return (
    <>
      <h1>Setup</h1>
      {status.done ? <p class="banner">Setup was marked done at {status.completedAt}: as the admin you may still change it.</p> : null}
      {error ? <p role="alert" class="error">{error}</p> : null}
      <div class="wizard">
        <nav aria-label="Setup steps">
          <ol class="steps">
            {steps.map((s, i) => (
              <li key={s.key}>
                <button type="button" class="link" aria-current={i === index ? 'step' : undefined} onClick={() => go(i)}>
                  {s.title}<span class={isDone(s.key) ? 'ok' : 'hint'}> {isDone(s.key) ? '✓ done' : '· to do'}</span>
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <section aria-labelledby="step-h" class="step">
          <h2 id="step-h" ref={heading} tabIndex={-1}>Step {index + 1} of {steps.length}: {step.title}</h2>
          <View key={step.key} status={status} refresh={refresh} choices={choices} />
          <p class="step-nav">
            {index > 0 ? <button type="button" onClick={() => go(index - 1)}>Back</button> : null}
            {index < steps.length - 1 ? <button type="button" onClick={() => go(index + 1)}>Next: {steps[index + 1]!.title}</button> : null}
          </p>
        </section>
      </div>
    </>
  );
}
