import type { ConfigLayer } from './config-layers.js';

/** Where a value came from: the file that set it last (or another source), and the environment variable it was read from. */
export interface ValueOrigin {
  source: string;
  variable?: string;
}

export interface MergedConfig {
  value: Record<string, unknown>;
  /** Dotted path of every value set by a layer (leaves and arrays) → its origin. */
  origins: Map<string, ValueOrigin>;
  /** Top-level section → folder of the last file that set anything in it (relative paths resolve there). */
  sectionDirs: Map<string, string>;
  /** Paths whose environment variable was unset (and that no later layer set), with its name. */
  missing: Map<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Combines layers in order, each over the ones before: objects merge key by key, anything else (arrays
 * included) replaces, and `null` removes a key. An adapter section whose `use:` changes starts afresh, so
 * the options of the adapter it replaces never leak into the new one's.
 */
export function mergeLayers(layers: readonly ConfigLayer[], isAdapterSection: (key: string) => boolean): MergedConfig {
  const value: Record<string, unknown> = {};
  const origins = new Map<string, ValueOrigin>();
  const sectionDirs = new Map<string, string>();
  const missing = new Map<string, string>();
  const forget = (prefix: string): void => {
    for (const key of [...origins.keys()]) if (key === prefix || key.startsWith(`${prefix}.`)) origins.delete(key);
  };

  for (const layer of layers) {
    const record = (path: string, node: unknown): void => {
      if (isObject(node)) {
        for (const [key, child] of Object.entries(node)) record(`${path}.${key}`, child);
        return;
      }
      origins.set(path, { source: layer.file, ...(layer.fromEnv.has(path) ? { variable: layer.fromEnv.get(path) } : {}) });
      missing.delete(path);
    };
    const mergeInto = (target: Record<string, unknown>, overlay: Record<string, unknown>, path: string[]): void => {
      for (const [key, incoming] of Object.entries(overlay)) {
        const dotted = [...path, key].join('.');
        if (path.length === 0) sectionDirs.set(key, layer.dir);
        const current = target[key];
        const replacesAdapter = path.length === 0 && isAdapterSection(key) && isObject(incoming) && isObject(current)
          && incoming.use !== undefined && JSON.stringify(incoming.use) !== JSON.stringify(current.use);
        if (incoming === null || replacesAdapter) {
          delete target[key];
          forget(dotted);
          if (incoming === null) continue;
        }
        if (isObject(incoming) && isObject(target[key])) {
          mergeInto(target[key] as Record<string, unknown>, incoming, [...path, key]);
        } else {
          forget(dotted);
          target[key] = structuredClone(incoming);
          record(dotted, incoming);
        }
      }
    };
    mergeInto(value, layer.value, []);
    // An unset variable matters only where no layer gave a value.
    for (const [path, variable] of layer.missing) if (!origins.has(path)) missing.set(path, variable);
  }
  return { value, origins, sectionDirs, missing };
}
