import type { UseCase } from '../../core/use-case.js';
import { HTTP_STATUS, codesByHttpStatus } from '../shared/error-mapping.js';
import { SERVER_INFO } from '../mcp/mcp-server.js';
import { takesIdempotencyKey } from './idempotency-header.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(HTTP_STATUS) },
        message: { type: 'string' },
        nextStep: { type: ['string', 'null'] },
        details: { type: 'object' },
      },
    },
    requestId: { type: 'string' },
  },
};

/** Each HTTP status an error can answer, with the error codes that map to it (the one table in error-mapping.ts). */
function errorResponses(): Record<string, unknown> {
  return Object.fromEntries(
    codesByHttpStatus().map(([status, codes]) => [
      String(status),
      { description: `Error: ${codes.join(', ')} (see error.code and error.nextStep)`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
}

/** The `Idempotency-Key` header of an operation that takes a key, with the schema of its body field. */
const idempotencyHeader = (input: { properties?: Record<string, unknown> }) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes retries safe: a repeat with the same key returns the first result. The standard alternative to the body\'s idempotencyKey.',
  schema: input.properties?.idempotencyKey,
});

/** `/agents/:agentId` → `/agents/{agentId}`, with the names of its parameters. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: `/api/v1${converted}`, params };
}

/** The OpenAPI 3.1 document of the REST routes, generated from the same descriptors as the MCP tools. */
export function openApiDocument(useCases: readonly UseCase[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errors = errorResponses();
  for (const u of useCases) {
    const { path, params } = openApiPath(u.rest.path);
    const method = u.rest.method.toLowerCase();
    const input = u.input as { properties?: Record<string, unknown>; required?: string[] };
    const inQuery = method === 'get' || method === 'delete';
    const parameters = [
      ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(inQuery
        ? Object.entries(input.properties ?? {}).filter(([name]) => !params.includes(name)).map(([name, schema]) => ({ name, in: 'query', required: input.required?.includes(name) ?? false, schema }))
        : takesIdempotencyKey(u) ? [idempotencyHeader(input)] : []),
    ];
    paths[path] = {
      ...paths[path],
      [method]: {
        operationId: u.name,
        summary: u.title,
        description: u.description,
        tags: [u.auth === 'admin' ? 'admin' : 'agent'],
        parameters,
        ...(inQuery ? {} : { requestBody: { required: true, content: { 'application/json': { schema: u.input } } } }),
        responses: {
          [String(u.rest.successStatus ?? 200)]: { description: 'Success', content: { 'application/json': { schema: u.output } } },
          ...errors,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'AgentOS Comms', version: SERVER_INFO.version, description: 'REST face of the AgentOS Comms use cases; the MCP tools at /mcp take the same inputs.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An agent token, the admin token, or an OAuth access token (JWT) from an issuer of auth.oauth.' } }, schemas: { Error: errorSchema } },
    paths,
  };
}
