import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { DomainError } from '../ports/errors.js';
import { PLUGIN_API_VERSION, type PluginContext, type PluginDefinition, type PortName, type PortTypes } from '../ports/plugin.js';
import { BUILT_IN_PLUGINS } from './built-in.js';

export interface AdapterSpec {
  /** Built-in short name, a path (absolute, or relative to `configDir`), or an installed package name. */
  use: string;
  options: Record<string, unknown>;
  /** Where the options sit in the config file, for messages; default `<port>.options`. */
  optionsPath?: string;
}

export interface LoadedAdapter<P extends PortName> {
  id: string;
  port: PortTypes[P];
}

export interface LoadPluginOptions {
  /** Config paths whose environment variable was unset, to name the variable in errors. */
  missingEnv?: ReadonlyMap<string, string>;
}

/**
 * A built-in plugin's options schema is not checked against the JSON Schema meta-schema when compiled:
 * compiling the 2020-12 meta-schema was the largest single cost of a start (issue 13), and the built-in
 * schemas are checked by the plugin contract tests. Another plugin's schema is (see loadPlugin).
 */
const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false, validateSchema: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

function fail(port: PortName, message: string, nextStep: string): never {
  throw new DomainError('PLUGIN_INVALID', `${port}: ${message}`, nextStep, { port });
}

function isPath(use: string): boolean {
  return use.startsWith('.') || isAbsolute(use);
}

async function importModule(port: PortName, use: string, configDir: string): Promise<unknown> {
  const builtIn = BUILT_IN_PLUGINS[port][use];
  if (builtIn) return (await builtIn()).default;
  const known = Object.keys(BUILT_IN_PLUGINS[port]).join(', ');
  let url: string;
  try {
    url = isPath(use)
      ? pathToFileURL(resolve(configDir, use)).href
      : pathToFileURL(createRequire(join(configDir, 'noop.js')).resolve(use)).href;
  } catch {
    fail(port, `unknown plugin "${use}" (built-in: ${known})`, `Use one of ${known}, a file path, or an installed package name.`);
  }
  try {
    const mod = (await import(url)) as { default?: unknown };
    return mod.default;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && isPath(use)) {
      fail(port, `plugin file "${use}" not found (resolved against ${configDir})`, 'Check the path in the config.');
    }
    fail(port, `plugin "${use}" failed to load: ${(err as Error).message}`, 'Check that the module loads with node.');
  }
}

function checkDefinition(port: PortName, use: string, value: unknown): PluginDefinition {
  const def = value as Partial<PluginDefinition> | undefined;
  if (!def || typeof def !== 'object' || typeof def.create !== 'function' || typeof def.id !== 'string') {
    fail(port, `"${use}" does not default-export a plugin definition (definePlugin({ apiVersion, port, id, optionsSchema, create }))`, 'Export the definition as the module\'s default export.');
  }
  if (def.apiVersion !== PLUGIN_API_VERSION) {
    fail(port, `plugin "${def.id}" declares apiVersion ${String(def.apiVersion)}; this server speaks ${PLUGIN_API_VERSION}`, 'Use a version of the plugin built for this server.');
  }
  if (def.port !== port) {
    fail(port, `plugin "${def.id}" is a "${String(def.port)}" plugin and cannot serve the ${port} port`, `Choose a ${port} plugin.`);
  }
  return def as PluginDefinition;
}

function optionError(optionsPath: string, def: PluginDefinition, e: ErrorObject, missingEnv: ReadonlyMap<string, string>): string {
  const path = [optionsPath, ...e.instancePath.split('/').filter(Boolean)];
  if (e.keyword === 'required') {
    const key = [...path, (e.params as { missingProperty: string }).missingProperty].join('.');
    const variable = missingEnv.get(key);
    const what = def.secrets?.includes((e.params as { missingProperty: string }).missingProperty) ? 'credential' : 'option';
    return variable ? `missing ${what} ${key}: set the ${variable} environment variable` : `missing ${what} ${key}`;
  }
  if (e.keyword === 'additionalProperties') return `unknown option ${path.join('.')}.${(e.params as { additionalProperty: string }).additionalProperty}`;
  return `option ${path.join('.')} ${e.message ?? 'is invalid'}`;
}

/** The checked definition of the plugin named by `use` for `port`, without building it (its options schema, secrets …). */
export async function findPlugin(port: PortName, use: string, configDir: string): Promise<PluginDefinition> {
  return checkDefinition(port, use, await importModule(port, use, configDir));
}

/**
 * Finds the plugin named by `spec.use` for `port`, checks its apiVersion, port and options, and builds
 * the adapter. Every failure is a one-line PLUGIN_INVALID error that names the port.
 */
export async function loadPlugin<P extends PortName>(
  port: P, spec: AdapterSpec, ctx: PluginContext, options: LoadPluginOptions = {},
): Promise<LoadedAdapter<P>> {
  const def = await findPlugin(port, spec.use, ctx.configDir);
  if (!BUILT_IN_PLUGINS[port][spec.use] && !ajv.validateSchema(def.optionsSchema)) {
    fail(port, `plugin "${def.id}" declares an options schema that is not a valid JSON Schema: ${ajv.errorsText()}`, 'Fix the optionsSchema of the plugin (JSON Schema 2020-12).');
  }
  const pluginOptions = structuredClone(spec.options);
  const validate = ajv.compile(def.optionsSchema);
  if (!validate(pluginOptions)) {
    const optionsPath = spec.optionsPath ?? `${port}.options`;
    const lines = (validate.errors ?? []).map((e) => optionError(optionsPath, def, e, options.missingEnv ?? new Map()));
    throw new DomainError('PLUGIN_INVALID', [...new Set(lines)].join('; '), 'Fix the options in the config file or set the named environment variables.', { port, plugin: def.id });
  }
  const instance = await def.create(pluginOptions, ctx);
  return { id: def.id, port: instance as PortTypes[P] };
}
