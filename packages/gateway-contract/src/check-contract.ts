import { caseKey } from "./case-key";
import type { GatewayCase } from "./fixture-schema";
import { jsonDiff, jsonEqual } from "./json-diff";
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
}

/** Compares an observation with the case's expectation: null when they match, else the drift. */
export function checkContract(gatewayCase: GatewayCase, observed: Observed): Drift | null {
  const expected = gatewayCase.expected;
  if (
    expected.outcome === observed.outcome &&
    expected.status_code === observed.status_code &&
    (expected.error_code ?? "") === observed.error_code &&
    jsonEqual(expected.response_body, observed.response_body)
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
  for (const diff of jsonDiff(expected.response_body, observed.response_body)) {
    differences.push({ field: "response_body", ...diff });
  }
  if (differences.length === 0) return null;
  return {
    case_id: gatewayCase.case_id.trim(),
    case_key: caseKey(gatewayCase),
    differences,
    ...(observed.note !== undefined ? { note: observed.note } : {}),
  };
}
