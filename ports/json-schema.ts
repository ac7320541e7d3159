/** A JSON Schema (draft 2020-12) document. Kept structural so ports need no schema library. */
export type JsonSchema = { readonly [key: string]: unknown };
