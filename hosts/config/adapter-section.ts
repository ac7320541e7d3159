import { DomainError } from '../../ports/errors.js';
import { FAILOVER_SECTIONS, type AdapterConfig } from './app-config.js';

type Options = Record<string, unknown>;

interface RawSection {
  use?: unknown;
  enabled?: unknown;
  options?: Options;
  providers?: Record<string, Options>;
  credentialsRef?: string;
}

function invalid(message: string, nextStep: string): DomainError {
  return new DomainError('CONFIG_INVALID', message, nextStep);
}

/**
 * One adapter section of the validated config: null when absent or `enabled: false`. Options come from
 * `providers.<use>` when present, else `options`; a list in `use` (telephony, email, whatsapp) becomes a failover
 * list whose members take their options from `providers` only.
 */
export function adapterSection(name: string, section: RawSection | undefined, dir: string): AdapterConfig | null {
  if (!section || section.enabled === false) return null;
  const providers = section.providers ?? {};
  const member = (use: string, fallback: Options | undefined): AdapterConfig => {
    const own = providers[use];
    if (own !== undefined) return { use, enabled: true, options: own, optionsPath: `${name}.providers.${use}`, dir };
    return { use, enabled: true, options: fallback ?? {}, optionsPath: `${name}.options`, dir };
  };
  if (section.credentialsRef !== undefined) {
    if (name === 'db' || Array.isArray(section.use)) {
      throw invalid(`${name}.credentialsRef applies to one adapter in use${name === 'db' ? ', and not to db (the credentials are stored in it)' : ''}.`,
        name === 'db' ? 'Give the database options in db.options.' : `Name one adapter in ${name}.use, or give each member's options under ${name}.providers.`);
    }
    return { ...member(String(section.use), section.options), credentialsRef: section.credentialsRef };
  }
  if (!Array.isArray(section.use)) return member(String(section.use), section.options);

  const names = section.use.map(String);
  if (!(FAILOVER_SECTIONS as readonly string[]).includes(name)) {
    throw invalid(`${name}.use takes one adapter; only ${FAILOVER_SECTIONS.join(', ')} take a failover list.`, `Name one adapter in ${name}.use.`);
  }
  if (section.options !== undefined && Object.keys(section.options).length > 0) {
    throw invalid(
      `${name}.options does not apply to a list in ${name}.use.`,
      `Give each adapter's options under ${name}.providers.<name> (e.g. ${name}.providers.${names[0]}).`,
    );
  }
  const members = names.map((use) => member(use, undefined));
  return members.length === 1 ? members[0]! : { use: names.join(','), enabled: true, options: {}, members, dir };
}
