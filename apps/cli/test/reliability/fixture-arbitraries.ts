import fc from "fast-check";

// Structure-aware fixture generators for the hostile-fixture fuzz tests: valid fixtures whose
// outcome is known in advance (behavior.md §2), the same with exactly known damage (§1), and
// mangled text.

type JsonObject = Record<string, unknown>;

const SUPPORTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const ERROR_CODES = ["gateway_invalid_request", "gateway_unsupported_method", "gateway_backend_unavailable"] as const;
const CASE_FIELDS = ["schema_version", "case_id", "method", "endpoint", "actor_id", "body", "simulate_retryable_failure", "expected"];
const EXPECTED_FIELDS = ["outcome", "status_code", "error_code", "response_body"];
const FIXTURE_FIELDS = ["$schema", "schema_version", "name", "description", "cases"];

/** Sets a key as an own property even when it is `__proto__`, so JSON.stringify writes it. */
function setOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const text = (minLength: number, maxLength: number) => fc.string({ unit: "binary", minLength, maxLength });
const nonBlank = (maxLength: number) => text(1, maxLength).filter((s) => s.trim().length > 0);
/** Whitespace that String#trim removes, so every comparison of trimmed values is exercised. */
const pad = fc.constantFrom("", "", "", " ", "  ", "\t", "\n", "\u00a0", "\ufeff", "\u2028");
const padded = (core: fc.Arbitrary<string>) => fc.tuple(pad, core, pad).map(([a, b, c]) => `${a}${b}${c}`);

/** Ids and actor names that have broken path handling, case folding or normalisation elsewhere. */
export const HOSTILE_NAMES = [
  "..", ".", "a/b", "a_b", "a\\b", "a\u0000b", "../../etc", "con", "nul.txt", "a.", "~7e",
  "\u00e9", "e\u0301", "Ops", "ops", "OPS", "__proto__", "constructor", "\ud800", "😀", "x".repeat(1000),
];

const nameArb = fc.oneof(
  { weight: 5, arbitrary: nonBlank(24) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 100, maxLength: 400 }).filter((s) => s.trim().length > 0) },
);

const casedMethod = fc
  .constantFrom(...SUPPORTED_METHODS)
  .chain((m) => fc.array(fc.boolean(), { minLength: m.length, maxLength: m.length }).map((lower) => [...m].map((ch, i) => (lower[i] ? ch.toLowerCase() : ch)).join("")));
const unsupportedMethod = fc.oneof(
  fc.constantFrom("TRACE", "options", "HEAD", "CONNECT", "FETCH", "GETT", "G E T", "ＧＥＴ"),
  nonBlank(10).filter((m) => !(SUPPORTED_METHODS as readonly string[]).includes(m.trim().toUpperCase())),
);
const goodEndpoint = padded(text(0, 20).map((rest) => `/${rest}`));
const badEndpoint = nonBlank(20).filter((e) => !e.trim().startsWith("/"));
const actorArb = padded(nameArb);
const blankActor = fc.constantFrom("", " ", "\t\n", "\u00a0");
const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.dictionary(text(0, 8), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
);

/** What the simulated gateway will answer, and which field (if any) the fixture gets wrong. */
export type CaseKind = "success" | "unsupported_method" | "bad_endpoint" | "blank_actor" | "retryable";
export type DriftField = "status_code" | "response_body" | "error_code";

/** A valid case and what running it must show. */
export interface CaseModel {
  kind: CaseKind;
  value: JsonObject;
  /** The field that drifts from what the gateway answers, or null when the case passes. */
  drift: DriftField | null;
}

function successStatus(method: string): number {
  return method === "POST" ? 201 : method === "DELETE" ? 202 : 200;
}

function caseArb(caseId: string): fc.Arbitrary<CaseModel> {
  return fc
    .record({
      kind: fc.constantFrom<CaseKind>("success", "success", "success", "unsupported_method", "bad_endpoint", "blank_actor", "retryable"),
      method: padded(casedMethod),
      unsupported: padded(unsupportedMethod),
      endpoint: goodEndpoint,
      badEndpoint,
      actor: actorArb.filter((a) => a.trim().length > 0),
      blankActor,
      body: bodyArb,
      withSchemaVersion: fc.boolean(),
      emptyErrorCode: fc.boolean(),
      drift: fc.constantFrom<DriftField | null>(null, null, null, "status_code", "response_body", "error_code"),
      extra: fc.jsonValue({ maxDepth: 2 }),
    })
    .map((g): CaseModel => {
      const method = g.kind === "unsupported_method" ? g.unsupported : g.method;
      const endpoint = g.kind === "bad_endpoint" ? g.badEndpoint : g.endpoint;
      const actor = g.kind === "blank_actor" ? g.blankActor : g.actor;
      const m = method.trim().toUpperCase();
      let expected: JsonObject;
      if (g.kind === "success") {
        expected = {
          outcome: "success",
          status_code: successStatus(m),
          response_body: { status: "accepted", method: m, endpoint: endpoint.trim(), actor_id: actor.trim() },
        };
        if (g.emptyErrorCode) expected.error_code = "";
      } else if (g.kind === "retryable") {
        expected = { outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable", response_body: { status: "retryable", reason: "backend_unavailable" } };
      } else if (g.kind === "unsupported_method") {
        expected = { outcome: "malformed_input", status_code: 405, error_code: "gateway_unsupported_method", response_body: { status: "rejected", reason: "unsupported_method" } };
      } else {
        expected = { outcome: "malformed_input", status_code: 400, error_code: "gateway_invalid_request", response_body: { status: "rejected", reason: "invalid_request" } };
      }
      // A success has no error code to get wrong; its drift is the status instead.
      const drift = g.drift === "error_code" && g.kind === "success" ? "status_code" : g.drift;
      if (drift === "status_code") expected.status_code = g.kind === "success" ? 204 : (expected.status_code as number) + 1;
      if (drift === "response_body") (expected.response_body as JsonObject).unexpected_field = g.extra;
      if (drift === "error_code") expected.error_code = ERROR_CODES.find((code) => code !== expected.error_code);

      const value: JsonObject = {};
      if (g.withSchemaVersion) value.schema_version = 1;
      Object.assign(value, { case_id: caseId, method, endpoint, actor_id: actor });
      if (g.body !== undefined) value.body = g.body;
      if (g.kind === "retryable") value.simulate_retryable_failure = true;
      else if (g.withSchemaVersion) value.simulate_retryable_failure = false;
      value.expected = expected;
      return { kind: g.kind, value, drift };
    });
}

/** A valid fixture and the model of each of its cases. */
export interface FixtureModel {
  value: JsonObject;
  cases: CaseModel[];
}

/** Valid fixtures of 1–8 cases with hostile but legal ids, actors, methods, endpoints and bodies. */
export const validFixtureArb: fc.Arbitrary<FixtureModel> = fc
  .uniqueArray(padded(nameArb), { minLength: 1, maxLength: 8, selector: (id) => id.trim() })
  .chain((ids) =>
    fc.record({
      cases: fc.tuple(...ids.map((id) => caseArb(id))),
      name: padded(nonBlank(20)),
      description: fc.option(text(0, 40), { nil: undefined }),
      schemaRef: fc.option(text(0, 20), { nil: undefined }),
    }),
  )
  .map(({ cases, name, description, schemaRef }) => {
    const value: JsonObject = {};
    if (schemaRef !== undefined) value.$schema = schemaRef;
    Object.assign(value, { schema_version: 1, name });
    if (description !== undefined) value.description = description;
    value.cases = cases.map((c) => c.value);
    return { value, cases };
  });

// ---------------------------------------------------------------------------------------------
// Damage with a known location

const wrongForString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const unknownKey = (allowed: readonly string[]) =>
  fc.oneof(
    fc.constantFrom("expcted", "caseId", "Method", "__proto__", "constructor", "toString", "case_id ", " outcome", "status"),
    text(1, 12),
  ).filter((key) => !allowed.includes(key));

/** One piece of damage to one case; `target` picks the case. */
export type CaseDamage =
  | { op: "drop"; field: "case_id" | "method" | "endpoint" | "actor_id" | "expected" }
  | { op: "retype"; field: string; value: unknown }
  | { op: "blank"; field: "case_id" | "method" | "endpoint"; value: string }
  | { op: "unknown-field"; key: string; value: unknown }
  | { op: "expected-drop"; field: "outcome" | "status_code" | "response_body" }
  | { op: "expected-retype"; field: "outcome" | "status_code" | "response_body" | "error_code"; value: unknown }
  | { op: "status-range"; success: number; failure: number }
  | { op: "error-code"; success: string; failure: string | undefined }
  | { op: "expected-unknown-field"; key: string; value: unknown }
  | { op: "duplicate-id" }
  | { op: "flip-simulate" }
  | { op: "unsupported-method"; method: string };

export const caseDamageArb: fc.Arbitrary<{ target: number; damage: CaseDamage }> = fc.record({
  target: fc.nat(),
  damage: fc.oneof(
    fc.record({ op: fc.constant("drop" as const), field: fc.constantFrom("case_id" as const, "method" as const, "endpoint" as const, "actor_id" as const, "expected" as const) }),
    fc.oneof(
      fc.record({ op: fc.constant("retype" as const), field: fc.constantFrom("case_id", "method", "endpoint", "actor_id"), value: wrongForString }),
      fc.record({ op: fc.constant("retype" as const), field: fc.constant("body"), value: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 })) }),
      fc.record({ op: fc.constant("retype" as const), field: fc.constant("simulate_retryable_failure"), value: fc.oneof(fc.constant("true"), fc.integer(), fc.constant(null)) }),
      fc.record({ op: fc.constant("retype" as const), field: fc.constant("schema_version"), value: fc.constantFrom<unknown>(0, 2, "1", 1.5, null) }),
      fc.record({ op: fc.constant("retype" as const), field: fc.constant("expected"), value: fc.constantFrom<unknown>("success", [], null, 200) }),
    ),
    fc.record({ op: fc.constant("blank" as const), field: fc.constantFrom("case_id" as const, "method" as const, "endpoint" as const), value: fc.constantFrom("", " ", "\t\n", "\u00a0") }),
    fc.record({ op: fc.constant("unknown-field" as const), key: unknownKey(CASE_FIELDS), value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ op: fc.constant("expected-drop" as const), field: fc.constantFrom("outcome" as const, "status_code" as const, "response_body" as const) }),
    fc.oneof(
      fc.record({ op: fc.constant("expected-retype" as const), field: fc.constant("outcome" as const), value: fc.constantFrom<unknown>(1, null, "SUCCESS", "", "ok") }),
      fc.record({ op: fc.constant("expected-retype" as const), field: fc.constant("status_code" as const), value: fc.constantFrom<unknown>("200", 200.5, null, true) }),
      fc.record({ op: fc.constant("expected-retype" as const), field: fc.constant("response_body" as const), value: fc.constantFrom<unknown>("ok", [], null, 3) }),
      fc.record({ op: fc.constant("expected-retype" as const), field: fc.constant("error_code" as const), value: fc.constantFrom<unknown>(5, true, null, ["x"]) }),
    ),
    fc.record({ op: fc.constant("status-range" as const), success: fc.constantFrom(199, 300, 404, 500, 0, -1), failure: fc.constantFrom(200, 204, 399, 0) }),
    fc.record({
      op: fc.constant("error-code" as const),
      success: fc.oneof(fc.constantFrom(...ERROR_CODES), nonBlank(10)),
      failure: fc.constantFrom(undefined, "", "gateway_nope", "GATEWAY_INVALID_REQUEST"),
    }),
    fc.record({ op: fc.constant("expected-unknown-field" as const), key: unknownKey(EXPECTED_FIELDS), value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.constant({ op: "duplicate-id" as const }),
    fc.constant({ op: "flip-simulate" as const }),
    fc.record({ op: fc.constant("unsupported-method" as const), method: unsupportedMethod }),
  ),
});

/** Damage to the fixture document itself. */
export type FixtureDamage =
  | { op: "drop"; field: "schema_version" | "name" | "cases" }
  | { op: "retype"; field: "schema_version" | "name" | "description" | "cases"; value: unknown }
  | { op: "unknown-field"; key: string; value: unknown };

export const fixtureDamageArb: fc.Arbitrary<FixtureDamage> = fc.oneof(
  fc.record({ op: fc.constant("drop" as const), field: fc.constantFrom("schema_version" as const, "name" as const, "cases" as const) }),
  // 3, not 2: schema_version 2 is a valid fixture version (v2) since the fixture workflow.
  fc.record({ op: fc.constant("retype" as const), field: fc.constant("schema_version" as const), value: fc.constantFrom<unknown>(3, 0, "1", null, 1.5) }),
  fc.record({ op: fc.constant("retype" as const), field: fc.constant("name" as const), value: fc.constantFrom<unknown>("", "   ", 7, null, ["n"]) }),
  fc.record({ op: fc.constant("retype" as const), field: fc.constant("description" as const), value: fc.constantFrom<unknown>(7, null, false, {}) }),
  fc.record({ op: fc.constant("retype" as const), field: fc.constant("cases" as const), value: fc.constantFrom<unknown>([], {}, "cases", null, 3) }),
  fc.record({ op: fc.constant("unknown-field" as const), key: unknownKey(FIXTURE_FIELDS), value: fc.jsonValue({ maxDepth: 2 }) }),
);

/** Where a message must point: the case (by id or index) and the field, or the fixture field. */
export interface ExpectedIssue {
  /** `case "<id>"` or `case at index <n>`; undefined for a fixture-level field. */
  caseRef?: string;
  field: string;
  /** The damage that causes it. */
  op: string;
}

/**
 * Applies the damage to a copy of the fixture, at most one piece per case so no piece hides
 * another, and says where each problem must be reported.
 */
export function damageFixture(
  model: FixtureModel,
  caseDamage: readonly { target: number; damage: CaseDamage }[],
  fixtureDamage: FixtureDamage | null,
): { value: JsonObject; issues: ExpectedIssue[] } {
  const value = structuredClone(model.value);
  const cases = value.cases as JsonObject[];
  const damaged = new Set<number>();
  const located: { index: number; field: string; op: string }[] = [];

  for (const { target, damage } of caseDamage) {
    let index = target % cases.length;
    for (let step = 0; step < cases.length && damaged.has(index); step++) index = (index + 1) % cases.length;
    if (damaged.has(index)) break;
    damaged.add(index);
    const c = cases[index] as JsonObject;
    const expected = c.expected as JsonObject;
    const outcome = expected.outcome as string;
    const field = applyCaseDamage({ c, expected, outcome, damage, index, cases, damaged });
    // A duplicate-id damage that found no earlier case falls back to dropping the method.
    const op = damage.op === "duplicate-id" && field !== "case_id" ? "drop" : damage.op;
    located.push({ index, field, op });
  }

  const issues: ExpectedIssue[] = [];
  let caseLevelChecked = true;
  if (fixtureDamage) {
    if (fixtureDamage.op === "drop") delete value[fixtureDamage.field];
    else if (fixtureDamage.op === "retype") value[fixtureDamage.field] = fixtureDamage.value;
    else setOwn(value, fixtureDamage.key, fixtureDamage.value);
    const field = fixtureDamage.op === "unknown-field" ? shownKey(fixtureDamage.key) : fixtureDamage.field;
    issues.push({ field, op: `fixture ${fixtureDamage.op}` });
    // Without a cases array there are no cases to check.
    if (field === "cases") caseLevelChecked = false;
  }
  if (caseLevelChecked) {
    for (const { index, field, op } of located) {
      const id = (cases[index] as JsonObject).case_id;
      const caseRef = typeof id === "string" && id.trim().length > 0 ? `case ${JSON.stringify(shownId(id.trim()))}` : `case at index ${index}`;
      issues.push({ caseRef, field, op });
    }
  }
  return { value, issues };
}

function applyCaseDamage(options: {
  c: JsonObject;
  expected: JsonObject;
  outcome: string;
  damage: CaseDamage;
  index: number;
  cases: JsonObject[];
  damaged: Set<number>;
}): string {
  const { c, expected, outcome, damage, index, cases, damaged } = options;
  switch (damage.op) {
    case "drop":
      delete c[damage.field];
      return damage.field;
    case "retype":
    case "blank":
      c[damage.field] = damage.value;
      return damage.field;
    case "unknown-field":
      setOwn(c, damage.key, damage.value);
      return shownKey(damage.key);
    case "expected-drop":
      delete expected[damage.field];
      return `expected.${damage.field}`;
    case "expected-retype":
      expected[damage.field] = damage.value;
      return `expected.${damage.field}`;
    case "status-range":
      expected.status_code = outcome === "success" ? damage.success : damage.failure;
      return "expected.status_code";
    case "error-code":
      if (outcome === "success") expected.error_code = damage.success;
      else if (damage.failure === undefined) delete expected.error_code;
      else expected.error_code = damage.failure;
      return "expected.error_code";
    case "expected-unknown-field":
      setOwn(expected, damage.key, damage.value);
      return `expected.${shownKey(damage.key)}`;
    case "duplicate-id": {
      const earlier = cases.findIndex((_, j) => j < index && !damaged.has(j));
      if (earlier === -1) {
        delete c.method;
        return "method";
      }
      // Damaging the original would change what counts as a duplicate; keep it as it is.
      damaged.add(earlier);
      c.case_id = ` ${(cases[earlier] as JsonObject).case_id as string} `;
      return "case_id";
    }
    case "flip-simulate":
      c.simulate_retryable_failure = outcome !== "retryable_failure";
      return "simulate_retryable_failure";
    case "unsupported-method":
      // Only a case that expects success or a retryable failure must use a supported method.
      if (outcome === "malformed_input") {
        c.simulate_retryable_failure = true;
        return "simulate_retryable_failure";
      }
      c.method = damage.method;
      return "method";
  }
}

/** A field name as messages show it: bare when printable and short, else JSON-quoted and cut. */
function shownKey(key: string): string {
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(key) || key.length > 60 ? JSON.stringify(shownId(key)) : key;
}

/** A case id as messages show it: cut to 60 characters (57 and "..."), never inside a surrogate pair. */
function shownId(id: string): string {
  if (id.length <= 60) return id;
  const high = id.charCodeAt(56);
  return `${id.slice(0, high >= 0xd800 && high <= 0xdbff ? 56 : 57)}...`;
}

// ---------------------------------------------------------------------------------------------
// Mangled text

export type TextDamage =
  | { op: "truncate"; at: number }
  | { op: "insert-bytes"; at: number; bytes: Uint8Array }
  | { op: "insert-text"; at: number; text: string }
  | { op: "delete"; at: number; length: number }
  | { op: "bom" }
  | { op: "empty" }
  | { op: "deep"; depth: number };

export const textDamageArb: fc.Arbitrary<TextDamage> = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("insert-bytes" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant("insert-text" as const), at: fc.nat(), text: fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\", "null", "\u0000", "//", "\ufeff", "\ud800", "\xff", "1e999") }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.constant({ op: "bom" as const }),
  fc.constant({ op: "empty" as const }),
  fc.record({ op: fc.constant("deep" as const), depth: fc.integer({ min: 1, max: 50_000 }) }),
);

/** The fixture's bytes with the damage applied; `mustFail` when the result cannot be valid JSON. */
export function damageText(model: FixtureModel, damage: TextDamage): { bytes: Buffer; mustFail: boolean } {
  const original = Buffer.from(JSON.stringify(model.value), "utf8");
  const at = (n: number) => n % original.length;
  switch (damage.op) {
    case "truncate":
      return { bytes: original.subarray(0, at(damage.at)), mustFail: true };
    case "insert-bytes":
      return { bytes: Buffer.concat([original.subarray(0, at(damage.at)), damage.bytes, original.subarray(at(damage.at))]), mustFail: false };
    case "insert-text": {
      const piece = Buffer.from(damage.text, "utf8");
      return { bytes: Buffer.concat([original.subarray(0, at(damage.at)), piece, original.subarray(at(damage.at))]), mustFail: false };
    }
    case "delete":
      return { bytes: Buffer.concat([original.subarray(0, at(damage.at)), original.subarray(at(damage.at) + damage.length)]), mustFail: false };
    case "bom":
      return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), original]), mustFail: false };
    case "empty":
      return { bytes: Buffer.alloc(0), mustFail: true };
    case "deep":
      // An unterminated nest where the cases belong.
      return { bytes: Buffer.from(`{"schema_version":1,"name":"deep","cases":${"[".repeat(damage.depth)}`), mustFail: true };
  }
}
