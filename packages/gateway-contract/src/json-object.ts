import { z } from "zod";

/** Deepest nesting accepted in a body: deeper values cannot be logged or diffed safely. */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON Schema types of schemas that zod cannot describe on its own (refinements of
 * `z.unknown()`); json-schema.ts applies them.
 */
export const jsonSchemaTypes = new WeakMap<z.ZodType, string>();

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** True when `value` nests no deeper than `limit` (iterative, so hostile input cannot overflow the stack). */
export function withinDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    if (depth > limit) return false;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return true;
}

/**
 * A JSON object, passed through as parsed. Not `z.record`: that copies keys one by one, so a
 * `"__proto__"` key would become the prototype instead of a field and silently vanish. Built on
 * refinements, which (unlike a failed type) let the other checks of the case still run.
 */
export function jsonObject(options: { expected: string; description: string }): z.ZodType<Record<string, unknown>> {
  const schema = z
    .unknown()
    .refine(isPlainObject, { message: `must be ${options.expected}` })
    .refine((v) => withinDepth(v, MAX_JSON_DEPTH), { message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` })
    .describe(options.description) as z.ZodType<Record<string, unknown>>;
  jsonSchemaTypes.set(schema, "object");
  return schema;
}

/** An integer, as a refinement: a failed `.int()` aborts the parse and hides other problems. */
export function integer(description: string): z.ZodType<number> {
  const schema = z.number().refine(Number.isInteger, { message: "must be an integer" }).describe(description);
  jsonSchemaTypes.set(schema, "integer");
  return schema;
}
