import { openCredentials } from '../../core/providers/sealed-credentials.js';
import { DomainError } from '../../ports/errors.js';
import type { CredentialCipher } from '../../ports/provider-credentials.js';
import type { Database } from '../../ports/repositories.js';
import type { AdapterConfig } from '../config/app-config.js';

/**
 * A section with `credentialsRef`, its options completed from the stored credential set of that name
 * (decrypted here, at composition, and handed to the adapter only). Options written in the config file
 * win, so an operator can still override an endpoint or a timeout next to stored credentials.
 */
export async function withStoredCredentials(section: string, spec: AdapterConfig, db: Database, cipher: CredentialCipher): Promise<AdapterConfig> {
  const ref = spec.credentialsRef;
  if (!ref) return spec;
  const record = await db.providerCredentials.findByName(ref);
  if (!record) {
    throw new DomainError('CONFIG_INVALID', `${section}.credentialsRef: no credential set named "${ref}" is stored.`,
      'Register it with comms_register_provider (and run migrate first on a new database), or fix the name.', { section, credentialsRef: ref });
  }
  if (record.provider !== spec.use) {
    throw new DomainError('CONFIG_INVALID', `${section}.credentialsRef: the credential set "${ref}" is for ${record.provider}, not ${spec.use}.`,
      `Set ${section}.use to ${record.provider}, or refer to a ${spec.use} credential set.`, { section, credentialsRef: ref });
  }
  return {
    ...spec,
    options: { ...openCredentials(cipher, record), ...spec.options },
    optionsPath: `${section}.options (with the stored credentials "${ref}")`,
  };
}

/**
 * The section's adapter spec acting with the stored set `ref` alone (a customer's or an agent's subaccount):
 * its options are the stored ones, endpoint included, none of the configured account's credentials.
 */
export async function withStoredSetOnly(section: string, spec: AdapterConfig, ref: string, db: Database, cipher: CredentialCipher): Promise<AdapterConfig> {
  const resolved = await withStoredCredentials(section, { ...spec, options: {}, credentialsRef: ref }, db, cipher);
  return { ...resolved, credentialsRef: ref };
}
