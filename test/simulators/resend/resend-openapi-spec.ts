import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { locateSpec, RESEND_API, type SpecLocation } from '../shared/provider-specs.js';
import { SIMULATED_OPERATIONS } from './simulated-operations.js';

/** Something in a request that Resend's published OpenAPI document does not allow. Our adapter must cause none. */
export interface SpecViolation {
  method: string;
  /** The spec's path template, e.g. `/emails/receiving/{email_id}`. */
  path: string;
  operationId: string;
  location: 'body' | 'header' | 'path';
  /** JSON pointer into the body (`/attachments/0/content`), or the header / path parameter name. */
  parameter: string;
  problem: string;
}

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
  items?: SchemaNode;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  maxLength?: number;
  format?: string;
}

interface ParameterNode {
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaNode;
}

interface OperationNode {
  operationId?: string;
  parameters?: ParameterNode[];
  requestBody?: { content?: Record<string, { schema?: SchemaNode }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationNode | undefined> | undefined>;
  components: { schemas: Record<string, SchemaNode> };
}

/** Where Resend's `resend.json` was found, or why the check is skipped (see provider-specs.ts). */
export const RESEND_SPEC: SpecLocation = locateSpec(RESEND_API);

const SPEC_ID = 'https://resend.simulator.local/openapi.json';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function compilerFor(document: OpenApiDocument): Ajv2020 {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; `nullable`/`example` are OpenAPI words that strict mode would refuse.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormats as unknown as (instance: Ajv2020) => void)(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: SPEC_ID, components: document.components });
  return ajv;
}

const fromFiles = new Map<string, ResendOpenApiSpec>();

/** A concrete request path matched to the spec's template, with the path parameters it carries. */
export interface MatchedPath {
  template: string;
  params: Record<string, string>;
}

/** Checks requests against an OpenAPI description of Resend's API: the published `resend.json`, or the simulator's own. */
export class ResendOpenApiSpec {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(private readonly document: OpenApiDocument) {
    this.ajv = compilerFor(document);
  }

  /** The operations the simulator implements (simulated-operations.ts): always there. */
  static readonly simulated = new ResendOpenApiSpec(SIMULATED_OPERATIONS as unknown as OpenApiDocument);

  /** Resend's published document, parsed once per process; null when none was found. */
  static published(path: string | null = RESEND_SPEC.found ? RESEND_SPEC.path : null): ResendOpenApiSpec | null {
    if (path === null) return null;
    let spec = fromFiles.get(path);
    if (!spec) {
      spec = new ResendOpenApiSpec(JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument);
      fromFiles.set(path, spec);
    }
    return spec;
  }

  /** The template a concrete path belongs to; literal segments win over parameters (`/emails/receiving` ≠ `/emails/{email_id}`). */
  match(path: string): MatchedPath | null {
    const segments = path.split('/').filter(Boolean);
    let best: { template: string; params: Record<string, string>; literals: number } | null = null;
    for (const template of Object.keys(this.document.paths)) {
      const parts = template.split('/').filter(Boolean);
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      const fits = parts.every((part, index) => {
        const segment = decodeURIComponent(segments[index] ?? '');
        if (part.startsWith('{') && part.endsWith('}')) {
          params[part.slice(1, -1)] = segment;
          return true;
        }
        literals += 1;
        return part === segment;
      });
      if (fits && (!best || literals > best.literals)) best = { template, params, literals };
    }
    return best ? { template: best.template, params: best.params } : null;
  }

  hasOperation(method: string, template: string): boolean {
    return this.document.paths[template]?.[method.toLowerCase()] !== undefined;
  }

  /** The JSON body against the operation's request schema, plus fields the schema does not declare. */
  checkJsonBody(method: string, template: string, body: unknown): SpecViolation[] {
    const operation = this.operation(method, template);
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (!schema) return [];
    const violation = this.violationFactory(method, template, operation, 'body');
    const validate = this.validator(schema);
    const found: SpecViolation[] = [];
    if (!validate(body)) {
      for (const error of validate.errors ?? []) {
        // oneOf reports each failing branch as well; the branch errors say more.
        if (error.keyword === 'oneOf' && (validate.errors ?? []).some((e) => e !== error && e.instancePath === error.instancePath)) continue;
        found.push(violation(pointerOf(error), describe(error)));
      }
    }
    for (const pointer of this.undeclared(schema, body, '')) found.push(violation(pointer, 'not a declared field of this operation'));
    return found;
  }

  /** Header parameters the operation declares, checked against their schemas (names compared case-insensitively). */
  checkHeaders(method: string, template: string, headers: Record<string, string>): SpecViolation[] {
    const operation = this.operation(method, template);
    const violation = this.violationFactory(method, template, operation, 'header');
    const found: SpecViolation[] = [];
    for (const parameter of (operation.parameters ?? []).filter((p) => p.in === 'header')) {
      const value = headers[parameter.name.toLowerCase()];
      if (value === undefined) {
        if (parameter.required) found.push(violation(parameter.name, 'required header is missing'));
        continue;
      }
      const max = parameter.schema?.maxLength;
      if (max !== undefined && value.length > max) found.push(violation(parameter.name, `longer than ${max} characters`));
    }
    return found;
  }

  /** Path parameters against their declared formats (only `uuid` matters here). */
  checkPathParams(method: string, template: string, params: Record<string, string>): SpecViolation[] {
    const operation = this.operation(method, template);
    const violation = this.violationFactory(method, template, operation, 'path');
    const found: SpecViolation[] = [];
    for (const parameter of (operation.parameters ?? []).filter((p) => p.in === 'path')) {
      const value = params[parameter.name] ?? '';
      if (parameter.schema?.format === 'uuid' && !UUID.test(value)) found.push(violation(parameter.name, 'not a UUID'));
    }
    return found;
  }

  private operation(method: string, template: string): OperationNode {
    const operation = this.document.paths[template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`The Resend spec has no ${method} ${template}`);
    return operation;
  }

  private violationFactory(method: string, path: string, operation: OperationNode, location: SpecViolation['location']) {
    const operationId = operation.operationId ?? `${method} ${path}`;
    return (parameter: string, problem: string): SpecViolation => ({ method, path, operationId, location, parameter, problem });
  }

  private validator(schema: SchemaNode): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema.$ref ? { $ref: `${SPEC_ID}${schema.$ref}` } : schema);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private resolve(schema: SchemaNode): SchemaNode {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = this.document.components.schemas[name];
    if (!target) throw new Error(`The Resend spec has no schema ${schema.$ref}`);
    return this.resolve(target);
  }

  /**
   * Pointers of object keys that no `properties` declares. The spec leaves `additionalProperties` open, but
   * Resend answers unknown fields with a validation error, so an object with declared properties counts as closed.
   */
  private undeclared(rawSchema: SchemaNode, value: unknown, pointer: string): string[] {
    const schema = this.resolve(rawSchema);
    if (Array.isArray(value)) {
      const items = this.arrayItems(schema);
      return items ? value.flatMap((item, index) => this.undeclared(items, item, `${pointer}/${index}`)) : [];
    }
    if (typeof value !== 'object' || value === null) return [];
    const properties = this.objectProperties(schema);
    if (!properties) return [];
    const found: string[] = [];
    for (const [key, child] of Object.entries(value)) {
      const declared = properties[key];
      if (!declared) found.push(`${pointer}/${key}`);
      else found.push(...this.undeclared(declared, child, `${pointer}/${key}`));
    }
    return found;
  }

  private objectProperties(schema: SchemaNode): Record<string, SchemaNode> | null {
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return null;
    const parts = [schema, ...(schema.allOf ?? []).map((s) => this.resolve(s))];
    const merged: Record<string, SchemaNode> = {};
    let any = false;
    for (const part of parts) {
      if (part.properties) {
        any = true;
        Object.assign(merged, part.properties);
      }
    }
    return any ? merged : null;
  }

  private arrayItems(schema: SchemaNode): SchemaNode | null {
    if (schema.items) return schema.items;
    for (const branch of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) {
      const resolved = this.resolve(branch);
      if (resolved.items) return resolved.items;
    }
    return null;
  }
}

function pointerOf(error: ErrorObject): string {
  if (error.keyword === 'required') return `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`;
  return error.instancePath || '/';
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'required') return 'required field is missing';
  return error.message ?? `fails ${error.keyword}`;
}
