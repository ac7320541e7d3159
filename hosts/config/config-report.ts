import { findPlugin } from '../../plugins/plugin-loader.js';
import { isDomainError } from '../../ports/errors.js';
import { PORT_NAMES, type PortName } from '../../ports/plugin.js';
import type { AppConfig, LoadedConfig } from './app-config.js';

/** One effective setting: its dotted path, its value (secrets redacted) and where it came from. */
export interface ConfigRow {
  path: string;
  value: unknown;
  origin: string;
}

export const REDACTED = '[redacted]';

/** Names that hold credentials whatever the plugin declares (`auth.pass` of SMTP, `privateKey` …). */
const SECRET_NAME = /(secret|token|password|pass|apikey|api_key|privatekey|credential)$/i;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `postgresql://user:pw@host/db` → `postgresql://user:[redacted]@host/db`. */
function withoutUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s@]*@/i.test(value)) return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:\s]*):[^/\s@]*@/i, `$1:${REDACTED}@`);
}

/** Option keys each configured plugin declares as secrets (plugins that cannot be found declare none). */
async function declaredSecrets(config: AppConfig): Promise<Set<string>> {
  const secrets = new Set<string>(['auth.adminToken']);
  for (const port of PORT_NAMES) {
    const section = config[port as keyof AppConfig] as AppConfig['db'] | null | undefined;
    if (!section) continue;
    try {
      const definition = await findPlugin(port as PortName, section.use, section.dir);
      for (const key of definition.secrets ?? []) secrets.add(`${port}.options.${key}`);
    } catch (err) {
      if (!isDomainError(err)) throw err;
    }
  }
  return secrets;
}

/**
 * The effective configuration, one row per value, in the order of the file: secrets redacted, each
 * value's origin named (file, environment variable, or the schema default).
 */
export async function configReport(loaded: LoadedConfig): Promise<ConfigRow[]> {
  const secrets = await declaredSecrets(loaded.config);
  const rows: ConfigRow[] = [];
  const walk = (node: unknown, path: string): void => {
    // A secret that is a map (secrets by agent) is redacted whole, keys and values.
    if (isObject(node) && Object.keys(node).length > 0 && !secrets.has(path)) {
      for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
      return;
    }
    const secret = secrets.has(path) || SECRET_NAME.test(path.split('.').pop() ?? '');
    const value = secret && node !== undefined && node !== '' ? REDACTED : typeof node === 'string' ? withoutUrlPassword(node) : node;
    const origin = loaded.origins.get(path);
    rows.push({ path, value, origin: origin ? `${origin.source}${origin.variable ? ` (${origin.variable})` : ''}` : 'default (config/schema.json)' });
  };
  walk(loaded.values, '');
  return rows;
}
