/** One place where two JSON values differ; a missing side is left out. */
export interface JsonDifference {
  /** JSON Pointer (RFC 6901) of the differing value; "" for the root. */
  pointer: string;
  expected?: unknown;
  observed?: unknown;
}

const escapeToken = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep JSON comparison that lists every differing leaf, keys visited in sorted order. */
export function jsonDiff(expected: unknown, observed: unknown, pointer = ""): JsonDifference[] {
  if (isObject(expected) && isObject(observed)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(observed)])].sort();
    return keys.flatMap((key) => {
      const child = `${pointer}/${escapeToken(key)}`;
      if (!Object.hasOwn(observed, key)) return [{ pointer: child, expected: expected[key] }];
      if (!Object.hasOwn(expected, key)) return [{ pointer: child, observed: observed[key] }];
      return jsonDiff(expected[key], observed[key], child);
    });
  }
  if (Array.isArray(expected) && Array.isArray(observed)) {
    const length = Math.max(expected.length, observed.length);
    const out: JsonDifference[] = [];
    for (let i = 0; i < length; i++) {
      const child = `${pointer}/${i}`;
      if (i >= observed.length) out.push({ pointer: child, expected: expected[i] });
      else if (i >= expected.length) out.push({ pointer: child, observed: observed[i] });
      else out.push(...jsonDiff(expected[i], observed[i], child));
    }
    return out;
  }
  return Object.is(expected, observed) || (expected === 0 && observed === 0)
    ? []
    : [{ pointer, expected, observed }];
}

/** Deep JSON equality without allocating: the common, matching case of a contract check. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key in ra) {
    if (!Object.hasOwn(ra, key)) continue;
    if (!Object.hasOwn(rb, key) || !jsonEqual(ra[key], rb[key])) return false;
    count++;
  }
  for (const key in rb) if (Object.hasOwn(rb, key)) count--;
  return count === 0;
}
