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
 * An output schema in brief: the result's fields and the fields of its lists' elements, with their types
 * and enums; nothing that only checks them (`required`, `additionalProperties`, formats) and not the
 * inside of objects nested deeper. Every keyword dropped only widens the schema, so a result that
 * matches the full schema matches this one, and clients can still validate structuredContent with it.
 */
export function briefOutputSchema(schema: JsonSchema): JsonSchema {
  return brief(schema as Schema, 'result');
}

/** `result`: the schema itself; `field`: one of its fields; `element`: an element of a field's list; `inner`: deeper. */
type Level = 'result' | 'field' | 'element' | 'inner';

function brief(schema: Schema, level: Level): Schema {
  const out: Schema = {};
  if (schema.type !== undefined && level === 'result') out.type = schema.type;
  if (schema.enum !== undefined) out.enum = schema.enum;
  if (isSchema(schema.items)) out.items = brief(schema.items, level === 'field' ? 'element' : 'inner');
  if ((level === 'result' || level === 'element') && isSchema(schema.properties)) {
    const inner: Level = level === 'result' ? 'field' : 'inner';
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, field]) => [name, isSchema(field) ? brief(field, inner) : {}]));
  }
  return out;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
