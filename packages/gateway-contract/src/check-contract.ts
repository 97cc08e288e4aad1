import { caseKey } from "./case-key";
import type { GatewayCase } from "./fixture-schema";
import { jsonDiff, jsonEqual, type JsonDifference } from "./json-diff";
import { bodyDifferences, bodyMatches } from "./matchers";
import type { Observed } from "./observed";

/** One field where the observation broke the contract. */
export interface DriftDifference {
  field: "outcome" | "status_code" | "error_code" | "response_body";
  /** JSON Pointer inside `response_body`; "" for the other fields and for the whole body. */
  pointer: string;
  expected?: unknown;
  observed?: unknown;
}

/** A case whose observed result differs from its expectation (contract drift). */
export interface Drift {
  case_id: string;
  case_key: string;
  differences: DriftDifference[];
  note?: string;
  /** True when the case is `pending` (v2): its drift is reported but does not hold the gate. */
  pending?: boolean;
}

/**
 * Body differences of a case. A v1 body is compared literally (a `$match` key there is data);
 * a v2 body may hold matchers and `expected.ignore` pointers.
 */
function responseBodyDifferences(gatewayCase: GatewayCase, observed: unknown): JsonDifference[] {
  const expected = gatewayCase.expected;
  if (gatewayCase.schema_version !== 2) return jsonDiff(expected.response_body, observed);
  return bodyDifferences(expected.response_body, observed, expected.ignore ? { ignore: expected.ignore } : {});
}

// One Set per ignore list, not per check: cases (and their lists) live as long as the fixture.
const ignoreSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function ignoreSet(ignore: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (ignore === undefined || ignore.length === 0) return undefined;
  let set = ignoreSets.get(ignore);
  if (set === undefined) ignoreSets.set(ignore, (set = new Set(ignore)));
  return set;
}

/** Compares an observation with the case's expectation: null when they match, else the drift. */
export function checkContract(gatewayCase: GatewayCase, observed: Observed): Drift | null {
  const expected = gatewayCase.expected;
  if (
    expected.outcome === observed.outcome &&
    expected.status_code === observed.status_code &&
    (expected.error_code ?? "") === observed.error_code &&
    // v1 keeps its allocation-free comparison; v2 walks for matchers and ignores.
    (gatewayCase.schema_version === 2
      ? bodyMatches(expected.response_body, observed.response_body, ignoreSet(expected.ignore))
      : jsonEqual(expected.response_body, observed.response_body))
  ) {
    return null;
  }
  const differences: DriftDifference[] = [];
  const compare = (field: "outcome" | "status_code" | "error_code", want: unknown, got: unknown) => {
    if (want !== got) differences.push({ field, pointer: "", expected: want, observed: got });
  };
  compare("outcome", expected.outcome, observed.outcome);
  compare("status_code", expected.status_code, observed.status_code);
  compare("error_code", expected.error_code ?? "", observed.error_code);
  for (const diff of responseBodyDifferences(gatewayCase, observed.response_body)) {
    differences.push({ field: "response_body", ...diff });
  }
  if (differences.length === 0) return null;
  return {
    case_id: gatewayCase.case_id.trim(),
    case_key: caseKey(gatewayCase),
    differences,
    ...(observed.note !== undefined ? { note: observed.note } : {}),
    ...(gatewayCase.pending === true ? { pending: true } : {}),
  };
}
