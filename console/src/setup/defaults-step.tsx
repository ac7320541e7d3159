import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Done, Field, Problem } from './form-parts.js';
import type { StepProps } from './setup-types.js';
import { useAction } from '../use-action.js';

interface Written { written: string[]; overlay: string }

/** Step 6: the default tier's spending caps and quiet hours, written to the setup overlay. */
export function DefaultsStep({ status, refresh }: StepProps) {
  const { defaults } = status;
  const [quiet, setQuiet] = useState(defaults.quietHours.enabled);
  const save = useAction<Written>();
  const submit = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    // Empty means no cap: null, not an empty amount.
    const body = {
      spendPerDay: text('spendPerDay') || null,
      spendPerMonth: text('spendPerMonth') || null,
      quietHours: quiet ? { enabled: true, start: text('quietStart'), end: text('quietEnd') } : { enabled: false },
    };
    void save.run(async () => {
      const written = await api<Written>('POST', '/setup/config', body);
      await refresh();
      return written;
    });
  };
  const money = `in ${defaults.currency}; empty: no cap`;

  return (
    <>
      <p>Every agent starts on the default tier, <strong>{defaults.tier}</strong>: its spending caps stop sends that would go over them.
        Quiet hours keep messages and calls inside the recipient's daytime (compliance rules run before every send).</p>
      <form class="form" onSubmit={submit}>
        <Field id="spend-day" name="spendPerDay" label="Spending cap per day" hint={money} inputMode="decimal" defaultValue={defaults.spendPerDay ?? ''}
          error={save.error} errorId="defaults-problem" />
        <Field id="spend-month" name="spendPerMonth" label="Spending cap per month" hint={money} inputMode="decimal" defaultValue={defaults.spendPerMonth ?? ''}
          error={save.error} errorId="defaults-problem" />
        <span />
        <span class="choice">
          <input type="checkbox" id="quiet-on" name="quietEnabled" checked={quiet} onChange={(e) => setQuiet((e.target as HTMLInputElement).checked)} />
          <label for="quiet-on">Quiet hours: no messages or calls outside the window below (recipient's local time)</label>
        </span>
        {quiet ? (
          <>
            <Field id="quiet-start" name="quietStart" errorField="quietHours.start" label="Window starts" type="time" required defaultValue={defaults.quietHours.start}
              error={save.error} errorId="defaults-problem" />
            <Field id="quiet-end" name="quietEnd" errorField="quietHours.end" label="Window ends" type="time" required defaultValue={defaults.quietHours.end}
              error={save.error} errorId="defaults-problem" />
          </>
        ) : null}
        <button type="submit" disabled={save.busy}>Save the defaults</button>
      </form>
      <Problem id="defaults-problem" error={save.error} />
      <Done>{save.result ? `Written to ${save.result.overlay} (${save.result.written.join(', ')}): in effect when the server starts again.` : null}</Done>
    </>
  );
}
