import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';
import { fieldOf } from '../use-action.js';

/**
 * A failed request, announced (role=alert): its stable code, what went wrong and the next step. `id` lets
 * the field it is about point at it (aria-describedby).
 */
export function Problem({ id, error }: { id: string; error: ApiError | Error | null }) {
  if (!error) return null;
  return (
    <div id={id} role="alert" class="problem">
      {error instanceof ApiError ? <><strong>{error.code}</strong>: {error.message}{error.nextStep ? <> <span class="next">{error.nextStep}</span></> : null}</> : error.message}
    </div>
  );
}

/**
 * A success, read out politely: the live region is always there (empty until something succeeds), since a
 * region inserted together with its text is not announced by every screen reader.
 */
export function Done({ children }: { children?: ComponentChildren }) {
  return <p role="status" class="ok">{children}</p>;
}

interface FieldProps {
  id: string;
  name: string;
  /** The input's name in the server's errors (details.field), when not `name`. */
  errorField?: string;
  label: string;
  hint?: string;
  /** The form's error: the field is marked invalid when the error names it. */
  error: ApiError | Error | null;
  errorId: string;
  type?: 'text' | 'password' | 'url' | 'email' | 'tel' | 'time';
  /** The initial value: typing is never undone by a re-render. */
  defaultValue?: string;
  required?: boolean;
  autocomplete?: string;
  inputMode?: 'decimal' | 'tel' | 'email' | 'url' | 'numeric' | 'text';
  placeholder?: string;
}

/** A labelled input with its hint, marked invalid (and pointing at the error) when the server named it. */
export function Field(p: FieldProps) {
  const invalid = fieldOf(p.error) === (p.errorField ?? p.name);
  const describedBy = [p.hint ? `${p.id}-hint` : null, invalid ? p.errorId : null].filter(Boolean).join(' ') || undefined;
  // (The cast: Preact types each input type's attributes apart; these fit every text-like type.)
  return (
    <>
      <label for={p.id}>{p.label}</label>
      <span class="field">
        <input id={p.id} name={p.name} type={(p.type ?? 'text') as 'text'} defaultValue={p.defaultValue} required={p.required} autocomplete={p.autocomplete ?? 'off'}
          inputMode={p.inputMode} placeholder={p.placeholder} aria-invalid={invalid ? 'true' : undefined} aria-describedby={describedBy} />
        {p.hint ? <small id={`${p.id}-hint`} class="hint">{p.hint}</small> : null}
      </span>
    </>
  );
}

/** The fields of a submitted form, trimmed, empty ones left out. */
export function filledFields(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v !== ''));
}
