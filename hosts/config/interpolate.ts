/** `${NAME}` or `${NAME:-default}` inside a string value. */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

export interface Interpolated {
  value: unknown;
  /** Config paths (`telephony.options.authToken`) whose environment variable was unset, with its name. */
  missing: Map<string, string>;
  /** Config paths whose value came from a set environment variable, with its name (where a value came from). */
  fromEnv: Map<string, string>;
}

/**
 * Replaces environment placeholders in every string of a parsed config. A value that is only a
 * placeholder for an unset variable (and no default) is removed, so schema validation reports the key
 * as missing and the message can name the variable.
 */
export function interpolateEnv(raw: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const missing = new Map<string, string>();
  const fromEnv = new Map<string, string>();
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') return substitute(node, path);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, String(i)]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const value = walk(child, [...path, key]);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    return node;
  };
  const substitute = (text: string, path: string[]): string | undefined => {
    const whole = WHOLE.exec(text);
    if (whole) {
      const [, name, fallback] = whole as unknown as [string, string, string | undefined];
      const value = env[name];
      if (value !== undefined && value !== '') {
        fromEnv.set(path.join('.'), name);
        return value;
      }
      if (fallback !== undefined) return fallback === '' ? undefined : fallback;
      missing.set(path.join('.'), name);
      return undefined;
    }
    return text.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
      const value = env[name];
      if (value !== undefined && value !== '') {
        fromEnv.set(path.join('.'), name);
        return value;
      }
      if (fallback === undefined) missing.set(path.join('.'), name);
      return fallback ?? '';
    });
  };
  return { value: walk(raw, []), missing, fromEnv };
}
