/** The fields of a JSON Schema object as table rows, nested objects flattened one level (`auth.user`). */
export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  default?: unknown;
  description?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
}

export function typeOf(schema: Schema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeOf).join(' or ');
  const base = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  if (base === 'array' && schema.items) return `array of ${typeOf(schema.items)}`;
  return schema.format ? `${base} (${schema.format})` : base;
}

function limits(schema: Schema): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) parts.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength} characters`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function fieldRows(schema: Schema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push({
      name: path,
      type: typeOf(property),
      required: schema.required?.includes(name) ?? false,
      ...(property.default !== undefined ? { default: property.default } : {}),
      description: `${property.description ?? ''}${limits(property)}`.trim(),
    });
    if (property.properties && !prefix) rows.push(...fieldRows(property, `${path}.`));
  }
  return rows;
}
