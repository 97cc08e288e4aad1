import type { z } from "zod";
import { FIXTURE_SCHEMA_VERSION, OUTCOMES } from "./capabilities";
import type { FixtureDocument } from "./fixture";
import { caseRules, fixtureRules } from "./fixture-rules";
import { caseRulesV2, FIXTURE_SCHEMA_VERSION_2 } from "./fixture-schema-v2";
import { MAX_JSON_DEPTH } from "./json-object";

// The fast path of fixture validation. zod's parse of a 100k-case fixture costs about as much CPU
// as the JSON.parse before it and builds a second copy of every case and `expected`; a fixture
// that is plainly valid needs neither. Everything here is a stricter form of the schemas in
// fixture-schema.ts and fixture-schema-v2.ts: a value accepted here is one those schemas accept,
// giving the same output (defaults filled, keys in schema order). Anything else, however
// harmless, returns undefined, and the caller asks zod, so every error message stays zod's.
// Keep it in step with the schemas; plain-fixture.test.ts compares the two on many inputs.

type Ctx = z.core.$RefinementCtx<unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonBlank = (v: unknown): v is string => typeof v === "string" && v.trim().length > 0;

const ENVELOPE_KEYS: readonly string[] = ["$schema", "schema_version", "name", "description", "cases"];
const CASE_KEYS_V1: readonly string[] = ["schema_version", "case_id", "method", "endpoint", "actor_id", "body", "simulate_retryable_failure", "expected"];
const CASE_KEYS_V2: readonly string[] = [
  "schema_version", "case_id", "method", "endpoint", "actor_id", "body", "simulate_retryable_failure", "tags", "pending", "expected",
];
const EXPECTED_KEYS_V1: readonly string[] = ["outcome", "status_code", "error_code", "response_body"];
const EXPECTED_KEYS_V2: readonly string[] = ["outcome", "status_code", "error_code", "response_body", "ignore"];

/** False if `value` has a key outside `known` (strict objects refuse it; `__proto__` is never in `known`). */
function hasOnlyKeys(value: Record<string, unknown>, known: readonly string[]): boolean {
  for (const key in value) if (!known.includes(key)) return false;
  return true;
}

/** What `withinDepth(value, MAX_JSON_DEPTH)` says, without a tuple per node. */
function withinDepth(node: object, depth: number): boolean {
  if (depth > MAX_JSON_DEPTH) return false;
  for (const child of Object.values(node)) {
    if (typeof child === "object" && child !== null && !withinDepth(child, depth + 1)) return false;
  }
  return true;
}

/** jsonObject(): a plain object nesting no deeper than MAX_JSON_DEPTH. */
const isJsonObject = (v: unknown): v is Record<string, unknown> => isRecord(v) && withinDepth(v, 1);

/** A refinement context that only remembers whether a rule found a problem. */
function ruleContext(): { ctx: Ctx; failed: () => boolean } {
  let failed = false;
  const ctx = { addIssue: () => { failed = true; } } as unknown as Ctx;
  return { ctx, failed: () => failed };
}

function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}

/** `expected` as zod would output it, or undefined when in any doubt. */
function plainExpected(e: unknown, v2: boolean): Record<string, unknown> | undefined {
  if (!isRecord(e) || !hasOnlyKeys(e, v2 ? EXPECTED_KEYS_V2 : EXPECTED_KEYS_V1)) return undefined;
  const { outcome, status_code, response_body } = e;
  if (!(OUTCOMES as readonly unknown[]).includes(outcome) || !Number.isInteger(status_code) || !isJsonObject(response_body)) return undefined;
  // Optional without a default: absent stays absent, but a key present as undefined would be kept as such.
  const hasErrorCode = "error_code" in e;
  if (hasErrorCode && typeof e.error_code !== "string") return undefined;
  const hasIgnore = v2 && "ignore" in e;
  if (hasIgnore && !isStringArray(e.ignore)) return undefined;
  // A new object, as zod's: the caller's own input is never shared past its bodies (which zod
  // passes through too), so changing the document cannot change the value it came from.
  const out: Record<string, unknown> = { outcome, status_code };
  if (hasErrorCode) out.error_code = e.error_code;
  out.response_body = response_body;
  if (hasIgnore) out.ignore = (e.ignore as string[]).slice();
  return out;
}

/** A case as zod would output it, or undefined when in any doubt. Rules are checked by the caller. */
function plainCase(c: unknown, v2: boolean): Record<string, unknown> | undefined {
  if (!isRecord(c) || !hasOnlyKeys(c, v2 ? CASE_KEYS_V2 : CASE_KEYS_V1)) return undefined;
  const { schema_version, case_id, method, endpoint, actor_id, body, simulate_retryable_failure } = c;
  if (schema_version !== undefined && schema_version !== (v2 ? FIXTURE_SCHEMA_VERSION_2 : FIXTURE_SCHEMA_VERSION)) return undefined;
  if (!nonBlank(case_id) || !nonBlank(method) || !nonBlank(endpoint) || typeof actor_id !== "string") return undefined;
  if (body !== undefined && body !== null && !isJsonObject(body)) return undefined;
  if (simulate_retryable_failure !== undefined && typeof simulate_retryable_failure !== "boolean") return undefined;
  if (!v2) {
    const expected = plainExpected(c.expected, false);
    if (expected === undefined) return undefined;
    // Every key of a v1 case is in zod's output (defaults fill the missing ones), in this order.
    return {
      schema_version: FIXTURE_SCHEMA_VERSION,
      case_id,
      method,
      endpoint,
      actor_id,
      body: body ?? null,
      simulate_retryable_failure: simulate_retryable_failure ?? false,
      expected,
    };
  }
  const { tags, pending } = c;
  if (tags !== undefined && !isStringArray(tags)) return undefined;
  if (pending !== undefined && typeof pending !== "boolean") return undefined;
  const out: Record<string, unknown> = {
    schema_version: FIXTURE_SCHEMA_VERSION_2,
    case_id,
    method,
    endpoint,
    actor_id,
    body: body ?? null,
    simulate_retryable_failure: simulate_retryable_failure ?? false,
    tags: tags === undefined ? [] : tags.slice(),
    pending: pending ?? false,
  };
  if ("expected" in c) {
    const expected = plainExpected(c.expected, true);
    if (expected === undefined) return undefined;
    out.expected = expected;
  }
  return out;
}

/**
 * The fixture document zod would give for `value` (v1, or v2 when `schema_version` is 2), built
 * without zod; undefined when `value` is not plainly valid, and then only zod can say why.
 * `value` is never changed.
 */
export function parsePlainFixture(value: unknown): FixtureDocument | undefined {
  if (!isRecord(value) || !hasOnlyKeys(value, ENVELOPE_KEYS)) return undefined;
  const v2 = value.schema_version === FIXTURE_SCHEMA_VERSION_2;
  if (!v2 && value.schema_version !== FIXTURE_SCHEMA_VERSION) return undefined;
  const { $schema, name, description, cases } = value;
  if ("$schema" in value && typeof $schema !== "string") return undefined;
  if (!nonBlank(name) || (description !== undefined && typeof description !== "string")) return undefined;
  if (!Array.isArray(cases) || cases.length === 0) return undefined;
  // The cross-field rules are zod's own functions, run on the output as zod runs them.
  const rules = ruleContext();
  const out: unknown[] = new Array(cases.length);
  for (let i = 0; i < cases.length; i++) {
    const c = plainCase(cases[i], v2);
    if (c === undefined) return undefined;
    caseRules(c, rules.ctx);
    if (v2) caseRulesV2(c, rules.ctx);
    if (rules.failed()) return undefined;
    out[i] = c;
  }
  const document: Record<string, unknown> = {};
  if ("$schema" in value) document.$schema = $schema;
  document.schema_version = value.schema_version;
  document.name = name;
  document.description = description ?? "";
  document.cases = out;
  fixtureRules(document, rules.ctx);
  return rules.failed() ? undefined : (document as unknown as FixtureDocument);
}
