import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { BUILT_IN_PLUGINS } from '../../../plugins/built-in.js';
import { providerOptionFields } from '../../../plugins/provider-option-fields.js';
import { DomainError } from '../../../ports/errors.js';
import type { SetupChannel } from '../../../ports/setup.js';

/** The providers setup offers per channel: the built-in adapters of that port. */
export function providersFor(channel: SetupChannel): string[] {
  return Object.keys(BUILT_IN_PLUGINS[channel]);
}

/** The options a provider's adapter requires, and which of them are secrets: what the wizard asks for. */
export async function requiredOptions(channel: SetupChannel, provider: string): Promise<Array<{ name: string; secret: boolean }>> {
  const fields = await providerOptionFields(channel, provider);
  if (!fields) {
    throw new DomainError('INVALID_INPUT', `"${provider}" is not a ${channel} provider.`, `Use one of: ${providersFor(channel).join(', ')}.`, { field: channel });
  }
  return fields.filter((f) => f.required).map(({ name, secret }) => ({ name, secret }));
}

/**
 * Credentials given on the command line: a JSON object, or `@FILE` naming a JSON or YAML file (keeps the
 * secrets out of the process list and the shell history).
 */
export function parseCredentials(flag: string, value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = value.startsWith('@') ? parseYaml(readFileSync(value.slice(1), 'utf8')) : JSON.parse(value);
  } catch (err) {
    // The message of a parse error may quote the text, which holds secrets: only the kind of failure.
    const kind = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not valid JSON or YAML';
    throw new DomainError('INVALID_INPUT', `${flag}: ${kind}.`, `Give ${flag} '{"accountSid":"AC…","authToken":"…"}' or ${flag} @credentials.yaml.`, { flag });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DomainError('INVALID_INPUT', `${flag} must be an object of the adapter's options.`, 'See docs/PROVIDERS.md for each provider\'s options.', { flag });
  }
  return parsed as Record<string, unknown>;
}
