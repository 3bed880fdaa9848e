import * as z from 'zod';

/** A JSON Schema (or OpenAPI/AsyncAPI) object, as plain JSON. */
export type Json = Record<string, unknown>;

export interface Conversion {
  /** `input` for what clients send (requests, frames), `output` for what the server answers. */
  io: 'input' | 'output';
  /** OpenAPI 3.1 speaks JSON Schema 2020-12; AsyncAPI 3's schema format is a superset of draft-07. */
  target: 'draft-2020-12' | 'draft-07';
  /** Where a named schema is referenced from (`#/components/schemas/<name>`). */
  uri: (name: string) => string;
}

/**
 * Converts zod schemas to JSON Schema with zod 4's own converter, by name: each named schema
 * comes out once, and wherever one contains another it refers to it (`$ref`) instead of
 * repeating it. Field facts a refinement checks come from the fields' `.meta()` (see
 * lib/http/validation.ts).
 */
export function namedJsonSchemas(
  schemas: Readonly<Record<string, z.ZodType>>,
  { io, target, uri }: Conversion,
): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (registry.has(schema)) throw new Error(`${name}: this schema is already named`);
    registry.add(schema, { id: name });
  }
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    target,
    uri,
    unrepresentable: 'throw',
    cycles: 'throw',
  });
  if ('__shared' in converted) throw new Error('unnamed shared definitions: name them');
  return Object.fromEntries(
    Object.entries(converted).map(([name, json]) => [name, withoutDialect(json as Json)]),
  );
}

/**
 * One schema on its own (a query or path parameter). `io: 'output'`: a query string has no
 * JSON types, so a parameter is documented by what the server reads from it (an integer
 * with its bounds and default), as OpenAPI describes parameters; a transform's output is
 * described by its `.meta()`.
 */
export function inlineJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  return withoutDialect(
    z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json,
  );
}

/** Without the dialect (the document's) and the converter's `$id` (a bare fragment is no id). */
function withoutDialect(json: Json): Json {
  const { $schema: _dialect, $id: _id, ...rest } = json;
  return rest;
}
