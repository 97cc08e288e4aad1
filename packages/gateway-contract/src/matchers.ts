import { describeValue } from "./describe-value";
import type { JsonDifference } from "./json-diff";
import { escapePointerToken } from "./json-pointer";

/**
 * Matchers for volatile values in a v2 fixture's `expected.response_body`: an object whose only
 * key is `$match` stands for any value of a kind instead of one exact value.
 */
export const MATCHER_KINDS = ["any", "string", "number", "integer", "boolean", "uuid", "iso8601"] as const;
export type MatcherKind = (typeof MATCHER_KINDS)[number];

/** Prefix of a regular-expression matcher: `{"$match": "regex:^v[0-9]+$"}`. */
export const REGEX_MATCHER_PREFIX = "regex:";
/** Longest pattern accepted in a regex matcher. */
export const MAX_REGEX_PATTERN_LENGTH = 256;
/** Longest string a regex matcher is run on; a longer one does not match (it is drift). */
export const MAX_REGEX_SUBJECT_LENGTH = 4096;

const MATCH_KEY = "$match";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/;
// A quantified group that itself holds a quantifier ("(a+)+", "(\d*){2,}"): the classic shape of
// catastrophic backtracking. A heuristic, not a proof; the length caps bound the rest.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+(?:,\d*)?\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+(?:,\d*)?\})/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** True for `{"$match": …}` (with or without other keys: those make it an invalid matcher). */
export function isMatcherObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Object.hasOwn(value, MATCH_KEY);
}

const regexCache = new Map<string, RegExp>();

function compileRegex(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    // Anchored: a matcher describes the whole value, not a part of it.
    regex = new RegExp(`^(?:${pattern})$`, "u");
    if (regexCache.size >= 1000) regexCache.clear();
    regexCache.set(pattern, regex);
  }
  return regex;
}

const specCache = new Map<string, RegExp>();

/** The regex of a `regex:` spec, cached by the whole spec (no slicing per check). */
function compileSpec(spec: string): RegExp {
  let regex = specCache.get(spec);
  if (regex === undefined) {
    regex = compileRegex(spec.slice(REGEX_MATCHER_PREFIX.length));
    if (specCache.size >= 1000) specCache.clear();
    specCache.set(spec, regex);
  }
  return regex;
}

const KNOWN_MATCHERS = `${MATCHER_KINDS.join(", ")} or regex:<pattern>`;

// A fixture repeats the same few specs on every case: each is judged once.
const specProblemCache = new Map<string, string | undefined>();

/** Why a `{"$match": …}` object is not a usable matcher; undefined when it is one. */
export function matcherProblem(value: Record<string, unknown>): string | undefined {
  for (const key in value) {
    if (key === MATCH_KEY || !Object.hasOwn(value, key)) continue;
    const extra = Object.keys(value).filter((k) => k !== MATCH_KEY);
    return `a matcher object must hold only "$match" (found also ${extra.map((k) => JSON.stringify(k)).join(", ")})`;
  }
  const spec = value[MATCH_KEY];
  if (typeof spec !== "string") return `"$match" must be a string: ${KNOWN_MATCHERS} (found ${describeValue(spec)})`;
  if (specProblemCache.has(spec)) return specProblemCache.get(spec);
  const problem = specProblem(spec);
  if (specProblemCache.size >= 1000) specProblemCache.clear();
  specProblemCache.set(spec, problem);
  return problem;
}

function specProblem(spec: string): string | undefined {
  const known = KNOWN_MATCHERS;
  if (spec.startsWith(REGEX_MATCHER_PREFIX)) {
    const pattern = spec.slice(REGEX_MATCHER_PREFIX.length);
    if (pattern.length === 0) return `"$match" regex has an empty pattern (write e.g. "regex:^v[0-9]+$")`;
    if (pattern.length > MAX_REGEX_PATTERN_LENGTH) return `"$match" regex pattern is ${pattern.length} characters, over the limit of ${MAX_REGEX_PATTERN_LENGTH}`;
    if (NESTED_QUANTIFIER.test(pattern)) {
      return `"$match" regex ${JSON.stringify(pattern)} repeats a group that itself repeats (like "(a+)+"), which can backtrack catastrophically; rewrite it without the nested quantifier`;
    }
    try {
      compileRegex(pattern);
    } catch (error) {
      return `"$match" regex ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message})`;
    }
    return undefined;
  }
  if (!(MATCHER_KINDS as readonly string[]).includes(spec)) return `unknown matcher ${JSON.stringify(spec)}; use one of ${known}`;
  return undefined;
}

/** True when some matcher object in the body is not usable: the quick pass, without pointers. */
function hasMatcherProblem(node: unknown): boolean {
  if (typeof node !== "object" || node === null) return false;
  if (isMatcherObject(node)) return matcherProblem(node) !== undefined;
  for (const key in node) {
    if (Object.hasOwn(node, key) && hasMatcherProblem((node as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Every invalid matcher in a body, by JSON Pointer inside the body. */
export function findMatcherProblems(body: unknown): { pointer: string; message: string }[] {
  // Almost every body is fine: pointers are built only for one that is not.
  if (!hasMatcherProblem(body)) return [];
  const out: { pointer: string; message: string }[] = [];
  const stack: [unknown, string][] = [[body, ""]];
  while (stack.length > 0) {
    const [node, pointer] = stack.pop() as [unknown, string];
    if (typeof node !== "object" || node === null) continue;
    if (isMatcherObject(node)) {
      const problem = matcherProblem(node);
      if (problem !== undefined) out.push({ pointer, message: problem });
      continue;
    }
    const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
    for (const [key, child] of entries) stack.push([child, `${pointer}/${escapePointerToken(key)}`]);
  }
  return out.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/** True when the body holds at least one `{"$match": …}` object. */
export function containsMatcher(body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  if (isMatcherObject(body)) return true;
  return Object.values(body).some(containsMatcher);
}

function validDate(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Whether `value` satisfies the matcher spec (the `$match` string of a valid matcher). */
export function valueMatches(spec: string, value: unknown): boolean {
  switch (spec) {
    case "any":
      return value !== undefined;
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "uuid":
      return typeof value === "string" && UUID.test(value);
    case "iso8601": {
      if (typeof value !== "string") return false;
      const m = ISO8601.exec(value);
      return m !== null && validDate(m[1] as string, m[2] as string, m[3] as string);
    }
    default: {
      if (!spec.startsWith(REGEX_MATCHER_PREFIX) || typeof value !== "string" || value.length > MAX_REGEX_SUBJECT_LENGTH) return false;
      try {
        return compileSpec(spec).test(value);
      } catch {
        return false;
      }
    }
  }
}

const childPointer = (pointer: string | undefined, key: string | number): string | undefined =>
  pointer === undefined ? undefined : `${pointer}/${typeof key === "number" ? key : escapePointerToken(key)}`;

function matchesAt(want: unknown, got: unknown, ignore: ReadonlySet<string> | undefined, pointer: string | undefined): boolean {
  if (pointer !== undefined && ignore?.has(pointer)) return true;
  if (typeof want !== "object" || want === null || typeof got !== "object" || got === null) {
    if (isMatcherObject(want)) return typeof want[MATCH_KEY] === "string" && valueMatches(want[MATCH_KEY] as string, got);
    return Object.is(want, got) || (want === 0 && got === 0);
  }
  if (isMatcherObject(want)) return typeof want[MATCH_KEY] === "string" && valueMatches(want[MATCH_KEY] as string, got);
  if (Array.isArray(want) || Array.isArray(got)) {
    if (!Array.isArray(want) || !Array.isArray(got)) return false;
    const shorter = Math.min(want.length, got.length);
    // Extra or missing items are differences unless each is ignored.
    for (let i = shorter; i < Math.max(want.length, got.length); i++) {
      const p = childPointer(pointer, i);
      if (p === undefined || !ignore?.has(p)) return false;
    }
    for (let i = 0; i < shorter; i++) if (!matchesAt(want[i], got[i], ignore, childPointer(pointer, i))) return false;
    return true;
  }
  const w = want as Record<string, unknown>;
  const g = got as Record<string, unknown>;
  for (const key in w) {
    if (!Object.hasOwn(w, key)) continue;
    if (Object.hasOwn(g, key)) {
      if (!matchesAt(w[key], g[key], ignore, childPointer(pointer, key))) return false;
    } else {
      const p = childPointer(pointer, key);
      if (p === undefined || !ignore?.has(p)) return false;
    }
  }
  for (const key in g) {
    if (!Object.hasOwn(g, key) || Object.hasOwn(w, key)) continue;
    const p = childPointer(pointer, key);
    if (p === undefined || !ignore?.has(p)) return false;
  }
  return true;
}

/**
 * True when the observed body satisfies the expected one (matchers, ignores): the common case
 * of a v2 contract check, walked without building differences. Pointers are built only when
 * there are ignores to test them against.
 */
export function bodyMatches(expected: unknown, observed: unknown, ignore?: ReadonlySet<string>): boolean {
  const withIgnores = ignore !== undefined && ignore.size > 0;
  return matchesAt(expected, observed, withIgnores ? ignore : undefined, withIgnores ? "" : undefined);
}

/**
 * Differences between an expected body (which may hold matchers) and an observed one, leaving
 * out every pointer in `ignore` and all below it. Without matchers or ignores it lists exactly
 * what jsonDiff lists. Keys are visited in sorted order.
 */
export function bodyDifferences(
  expected: unknown,
  observed: unknown,
  options: { ignore?: readonly string[] } = {},
): JsonDifference[] {
  const ignore = new Set(options.ignore ?? []);
  const out: JsonDifference[] = [];
  const walk = (want: unknown, got: unknown, pointer: string, gotPresent: boolean): void => {
    if (ignore.has(pointer)) return;
    if (isMatcherObject(want)) {
      const spec = want[MATCH_KEY];
      if (!gotPresent) out.push({ pointer, expected: want });
      else if (typeof spec !== "string" || !valueMatches(spec, got)) out.push({ pointer, expected: want, observed: got });
      return;
    }
    if (!gotPresent) {
      out.push({ pointer, expected: want });
      return;
    }
    if (isRecord(want) && isRecord(got)) {
      const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
      for (const key of keys) {
        const child = `${pointer}/${escapePointerToken(key)}`;
        if (!Object.hasOwn(want, key)) {
          if (!ignore.has(child)) out.push({ pointer: child, observed: got[key] });
        } else {
          walk(want[key], got[key], child, Object.hasOwn(got, key));
        }
      }
      return;
    }
    if (Array.isArray(want) && Array.isArray(got)) {
      const length = Math.max(want.length, got.length);
      for (let i = 0; i < length; i++) {
        const child = `${pointer}/${i}`;
        if (i >= want.length) {
          if (!ignore.has(child)) out.push({ pointer: child, observed: got[i] });
        } else {
          walk(want[i], got[i], child, i < got.length);
        }
      }
      return;
    }
    if (!(Object.is(want, got) || (want === 0 && got === 0))) out.push({ pointer, expected: want, observed: got });
  };
  walk(expected, observed, "", true);
  return out;
}
