import { readFileSync } from 'node:fs';
import { locateSpec, TWILIO_API_V2010, type SpecLocation } from '../shared/provider-specs.js';
import { allValues, type FormParams } from './form-params.js';

/** A request parameter our simulator saw that Twilio's published API does not declare (or declares otherwise). */
export interface SpecViolation {
  method: string;
  /** The spec's path template, e.g. `/2010-04-01/Accounts/{AccountSid}/Messages.json`. */
  path: string;
  operationId: string;
  parameter: string;
  problem: string;
}

interface SchemaNode {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
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
  components?: { schemas?: Record<string, SchemaNode> };
}

/** Where `twilio_api_v2010.json` was found, or why the check is skipped (see provider-specs.ts). */
export const TWILIO_SPEC: SpecLocation = locateSpec(TWILIO_API_V2010);

const documents = new Map<string, OpenApiDocument>();

function loadDocument(path: string): OpenApiDocument {
  let document = documents.get(path);
  if (!document) {
    // 1.8 MB: parsed once per process, shared by every simulator instance.
    document = JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument;
    documents.set(path, document);
  }
  return document;
}

/**
 * Checks request parameters against Twilio's own OpenAPI document (`twilio_api_v2010.json`). Without the
 * document (`specPath` null, or none found) every check finds nothing: the simulator works the same.
 */
export class TwilioOpenApiSpec {
  private readonly document: OpenApiDocument | null;

  constructor(specPath: string | null = TWILIO_SPEC.found ? TWILIO_SPEC.path : null) {
    this.document = specPath === null ? null : loadDocument(specPath);
  }

  /** Form fields of a POST, checked against the operation's request-body schema. */
  checkForm(method: string, pathTemplate: string, params: FormParams): SpecViolation[] {
    if (!this.document) return [];
    const operation = this.operation(method, pathTemplate);
    const schema = this.resolve(operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema ?? {});
    const declared = schema.properties ?? {};
    const violation = this.violationFactory(method, pathTemplate, operation);
    const found: SpecViolation[] = [];
    for (const name of schema.required ?? []) {
      if (params[name] === undefined) found.push(violation(name, 'required parameter is missing'));
    }
    for (const name of Object.keys(params)) {
      const property = declared[name];
      if (!property) {
        found.push(violation(name, 'not a declared parameter of this operation'));
        continue;
      }
      const problem = this.valueProblem(property, allValues(params, name));
      if (problem) found.push(violation(name, problem));
    }
    return found;
  }

  /** Query-string parameters of a request, checked against the operation's `in: query` parameters. */
  checkQuery(method: string, pathTemplate: string, query: FormParams): SpecViolation[] {
    if (!this.document) return [];
    const operation = this.operation(method, pathTemplate);
    const declared = new Map(
      (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p] as const),
    );
    const violation = this.violationFactory(method, pathTemplate, operation);
    const found: SpecViolation[] = [];
    for (const name of Object.keys(query)) {
      const parameter = declared.get(name);
      if (!parameter) {
        found.push(violation(name, 'not a declared query parameter of this operation'));
        continue;
      }
      const problem = this.valueProblem(parameter.schema ?? {}, allValues(query, name));
      if (problem) found.push(violation(name, problem));
    }
    return found;
  }

  /** Whether Twilio's document has this operation; without the document, every operation the simulator serves. */
  hasOperation(method: string, pathTemplate: string): boolean {
    return !this.document || this.document.paths[pathTemplate]?.[method.toLowerCase()] !== undefined;
  }

  private operation(method: string, pathTemplate: string): OperationNode {
    const operation = this.document?.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new Error(`The Twilio spec has no ${method} ${pathTemplate}`);
    return operation;
  }

  private violationFactory(method: string, path: string, operation: OperationNode) {
    const operationId = operation.operationId ?? `${method} ${path}`;
    return (parameter: string, problem: string): SpecViolation => ({ method, path, operationId, parameter, problem });
  }

  private resolve(schema: SchemaNode): SchemaNode {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = this.document?.components?.schemas?.[name];
    if (!target) throw new Error(`The Twilio spec has no schema ${schema.$ref}`);
    return this.resolve(target);
  }

  /** Only what a form value can break: list-ness, enums, scalar types and patterns. */
  private valueProblem(rawSchema: SchemaNode, values: string[]): string | null {
    const schema = this.resolve(rawSchema);
    if (schema.type === 'array') {
      const items = this.resolve(schema.items ?? {});
      for (const value of values) {
        const problem = this.scalarProblem(items, value);
        if (problem) return problem;
      }
      return null;
    }
    if (values.length > 1) return 'repeated, but the spec declares a single value';
    return this.scalarProblem(schema, values[0] ?? '');
  }

  private scalarProblem(schema: SchemaNode, value: string): string | null {
    if (schema.enum && !schema.enum.includes(value)) return `value ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`;
    if (schema.type === 'integer' && !/^-?\d+$/.test(value)) return 'not an integer';
    if (schema.type === 'number' && !Number.isFinite(Number(value))) return 'not a number';
    if (schema.type === 'boolean' && value !== 'true' && value !== 'false') return 'not a boolean (true/false)';
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) return `does not match ${schema.pattern}`;
    if (schema.format === 'uri' && !URL.canParse(value)) return 'not an absolute URI';
    return null;
  }
}
