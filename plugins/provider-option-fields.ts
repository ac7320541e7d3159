import type { JsonSchema } from '../ports/json-schema.js';
import type { PortName } from '../ports/plugin.js';
import type { ProviderOptionField } from '../ports/setup.js';
import { BUILT_IN_PLUGINS } from './built-in.js';

interface OptionsOf { optionsSchema?: JsonSchema & { required?: string[]; properties?: Record<string, { type?: unknown; description?: string }> }; secrets?: readonly string[] }

/**
 * The options a built-in adapter takes, read from its options schema: what a setup wizard (terminal or web)
 * asks for. Null for a name that is not a built-in adapter of that port.
 */
export async function providerOptionFields(port: PortName, provider: string): Promise<ProviderOptionField[] | null> {
  const load = BUILT_IN_PLUGINS[port][provider];
  if (!load) return null;
  const plugin = (await load()).default as OptionsOf;
  const schema = plugin.optionsSchema ?? {};
  const required = new Set(schema.required ?? []);
  const secrets = new Set(plugin.secrets ?? []);
  const properties = schema.properties ?? {};
  // The required ones first, in the schema's order: the ones a wizard always asks for.
  const names = [...new Set([...(schema.required ?? []), ...Object.keys(properties)])];
  return names.map((name) => {
    const property = properties[name] ?? {};
    return {
      name,
      required: required.has(name),
      secret: secrets.has(name),
      type: typeof property.type === 'string' ? property.type : 'other',
      description: property.description ?? null,
    };
  });
}
