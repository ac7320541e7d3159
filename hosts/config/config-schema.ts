import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, Options } from 'ajv';
import type { Ajv2020 as Ajv2020Class } from 'ajv/dist/2020.js';
import { packageRoot } from './package-root.js';

/** Ajv options of the configuration schema, shared by the build step (scripts/build/config-validator.mjs). */
export const CONFIG_SCHEMA_AJV_OPTIONS: Options = { allErrors: true, coerceTypes: true, useDefaults: true, strict: false };

/** Standalone validation code the build writes next to this module in dist/. */
export const CONFIG_SCHEMA_VALIDATOR_FILE = 'config-schema-validator.cjs';

export interface ConfigValidator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const require = createRequire(import.meta.url);
let validator: ConfigValidator | undefined;

/**
 * The configuration schema's validator. From dist/ it is the code the build generated (compiling the
 * schema with Ajv costs a large part of a start), loaded for each call and not kept: a server validates
 * its configuration once, and the generated code (hundreds of KB) would otherwise stay in its memory for
 * good (issue 13). From sources (tsx, tests) Ajv compiles it here, once per process.
 */
export function configSchemaValidator(): ConfigValidator {
  const prebuilt = join(import.meta.dirname, CONFIG_SCHEMA_VALIDATOR_FILE);
  if (existsSync(prebuilt)) {
    // A require of its own, so that no module kept for good lists the validator's module as a child.
    const load = createRequire(prebuilt);
    const loaded = load(prebuilt) as ConfigValidator | { default: ConfigValidator };
    delete load.cache[load.resolve(prebuilt)];
    return 'default' in loaded ? loaded.default : loaded;
  }
  if (validator) return validator;
  const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class };
  validator = new Ajv2020(CONFIG_SCHEMA_AJV_OPTIONS).compile(JSON.parse(readFileSync(join(packageRoot(), 'config', 'schema.json'), 'utf8')) as object);
  return validator;
}
