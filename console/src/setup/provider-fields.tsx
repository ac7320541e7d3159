import type { ApiError } from '../api.js';
import { Field } from './form-parts.js';
import type { OptionField, ProviderChoice } from './setup-types.js';

/** Optional options a form can take as text; composite ones (objects, lists) belong in the config file. */
const SIMPLE_TYPES = new Set(['string', 'integer', 'number']);

function OptionInput({ channel, field, error, errorId }: { channel: string; field: OptionField; error: ApiError | Error | null; errorId: string }) {
  return (
    <Field id={`${channel}-opt-${field.name}`} name={field.name} label={`${field.name}${field.required ? '' : ' (optional)'}`}
      hint={field.description ?? undefined} type={field.secret ? 'password' : 'text'} required={field.required}
      inputMode={field.type === 'string' ? undefined : 'numeric'} error={error} errorId={errorId} autocomplete={field.secret ? 'new-password' : 'off'} />
  );
}

/** The provider's adapter options: the required ones, and the simple optional ones folded away. */
export function ProviderFields({ channel, choice, error, errorId }: { channel: string; choice: ProviderChoice; error: ApiError | Error | null; errorId: string }) {
  const optional = choice.fields.filter((f) => !f.required && SIMPLE_TYPES.has(f.type));
  return (
    <>
      {choice.fields.filter((f) => f.required).map((f) => <OptionInput key={f.name} channel={channel} field={f} error={error} errorId={errorId} />)}
      {optional.length ? (
        <details class="span">
          <summary>More {choice.provider} options</summary>
          <div class="form">{optional.map((f) => <OptionInput key={f.name} channel={channel} field={f} error={error} errorId={errorId} />)}</div>
        </details>
      ) : null}
    </>
  );
}

/** The adapter options typed in: empty ones left out, numbers as numbers (the options schema says which). */
export function credentialsFrom(form: HTMLFormElement, fields: OptionField[]): Record<string, unknown> {
  const credentials: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = String(new FormData(form).get(field.name) ?? '').trim();
    if (raw === '') continue;
    credentials[field.name] = field.type === 'integer' || field.type === 'number' ? Number(raw) : raw;
  }
  return credentials;
}
