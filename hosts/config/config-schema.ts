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
 * The configuration schema's validator, made once per process. From dist/ it is the code the build
 * generated (compiling the schema with Ajv costs a large part of a start); from sources (tsx, tests)
 * Ajv compiles it here.
 */
export function configSchemaValidator(): ConfigValidator {
  if (validator) return validator;
  const prebuilt = join(import.meta.dirname, CONFIG_SCHEMA_VALIDATOR_FILE);
  if (existsSync(prebuilt)) {
    const loaded = require(prebuilt) as ConfigValidator | { default: ConfigValidator };
    validator = 'default' in loaded ? loaded.default : loaded;
  } else {
    const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class };
    validator = new Ajv2020(CONFIG_SCHEMA_AJV_OPTIONS).compile(JSON.parse(readFileSync(join(packageRoot(), 'config', 'schema.json'), 'utf8')) as object);
  }
  return validator;
}
