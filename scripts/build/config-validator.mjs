/**
 * Build step (after tsc): compiles config/schema.json once, here, into standalone validation code
 * (dist/hosts/config/config-schema-validator.cjs), so a starting server loads a function instead of
 * compiling a 50 KB schema with Ajv on every start. Same options as load-config.ts's runtime fallback
 * (CONFIG_SCHEMA_AJV_OPTIONS); the generated CommonJS requires only ajv's small runtime helpers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(import.meta.dirname, '..', '..');
const { CONFIG_SCHEMA_AJV_OPTIONS, CONFIG_SCHEMA_VALIDATOR_FILE } = await import(join(root, 'dist', 'hosts', 'config', 'config-schema.js'));
const ajv = new Ajv2020({ ...CONFIG_SCHEMA_AJV_OPTIONS, code: { source: true } });
const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'config', 'schema.json'), 'utf8')));
writeFileSync(join(root, 'dist', 'hosts', 'config', CONFIG_SCHEMA_VALIDATOR_FILE), standaloneCode.default(ajv, validate));
