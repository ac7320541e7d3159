import type { JsonSchema } from '../../ports/json-schema.js';

export interface LocalStorageOptions {
  /** Folder of the stored objects; relative to the config file's folder. Default `<dataDir>/storage`. */
  dir?: string;
  /** Key of the signed-URL HMAC. Without it a random key is made per process, so URLs die with a restart. */
  signingSecret?: string;
}

export const localStorageOptionsSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Local file storage options',
  type: 'object',
  additionalProperties: false,
  properties: {
    dir: {
      type: 'string',
      minLength: 1,
      description: 'Folder for stored files (relative paths resolve against the config file\'s folder). Default: storage inside the data folder.',
    },
    signingSecret: {
      type: 'string',
      minLength: 32,
      writeOnly: true,
      description: 'Secret for signing download URLs (at least 32 characters), e.g. ${STORAGE_SIGNING_SECRET}. Without it, a secret is made once and kept in the storage folder (signing-secret), so URLs survive a restart; servers that do not share the folder need this option.',
    },
  },
};
