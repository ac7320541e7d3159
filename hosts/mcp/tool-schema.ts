import type { JsonSchema } from '../../ports/json-schema.js';

/**
 * Schemas in brief for an agent's tools/list, where every token counts against the model's context.
 * The server validates every call against the full input schema and answers INVALID_INPUT naming the
 * field, and REST, OpenAPI and the admin token's tool list publish the full schemas.
 */

type Schema = Record<string, unknown>;

/** Keywords that only bound a value: the server checks them, the model needs no reminder of them. */
const BOUNDS_ONLY = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'pattern', 'additionalProperties']);

/** An input schema without the keywords that only bound values (types, enums, required, defaults stay). */
export function briefInputSchema(schema: JsonSchema): JsonSchema {
  return withoutBounds(schema) as JsonSchema;
}

function withoutBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutBounds);
  if (!isSchema(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !BOUNDS_ONLY.has(key)).map(([key, inner]) => [key, key === 'enum' || key === 'default' ? inner : withoutBounds(inner)]));
}

/**
 * An output schema in brief: the result's fields by name. What a field holds shows in the result itself;
 * types, enums, `required` and the fields of nested objects and lists' elements are left out. Every
 * keyword dropped only widens the schema, so a result that matches the full schema (REST, OpenAPI, the
 * admin's list) matches this one, and clients can still validate structuredContent with it.
 */
export function briefOutputSchema(schema: JsonSchema): JsonSchema {
  const names = isSchema(schema.properties) ? Object.keys(schema.properties) : [];
  // A whole record (a call with its twenty fields) is named by the tool's description instead: listing it
  // in every call tool's schema cost more of the agent's context than any other part of the list.
  if (names.length === 0 || names.length > MAX_LISTED_FIELDS) return { type: schema.type ?? 'object' };
  return { type: schema.type ?? 'object', properties: Object.fromEntries(names.map((name) => [name, {}])) };
}

/** Results with more fields than this are described as an object, without their field names. */
const MAX_LISTED_FIELDS = 10;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
