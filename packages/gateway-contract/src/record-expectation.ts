import { caseKey } from "./case-key";
import type { Expected } from "./fixture";
import type { ExpectationEdit } from "./fixture-edit";
import { escapePointerToken } from "./json-pointer";
import { isMatcherObject, valueMatches } from "./matchers";
import type { Observed } from "./observed";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The body to record: the observed one, except that a matcher of the old expectation that the
 * observed value satisfies is kept, and an ignored pointer keeps its old value (if it had one).
 */
function mergeBody(options: { previous: unknown; observed: unknown; ignore: ReadonlySet<string>; pointer: string; notes: string[] }): unknown {
  const { previous, observed, ignore, pointer, notes } = options;
  if (ignore.has(pointer) && previous !== undefined) return previous;
  if (isMatcherObject(previous)) {
    const spec = previous.$match;
    if (typeof spec === "string" && valueMatches(spec, observed)) return previous;
    notes.push(`${pointer || "/"}: the observed value ${JSON.stringify(observed)} does not satisfy the matcher ${JSON.stringify(previous)}; recorded the value instead`);
    return observed;
  }
  if (isRecord(previous) && isRecord(observed)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(observed)) {
      const child = `${pointer}/${escapePointerToken(key)}`;
      setOwn(out, key, Object.hasOwn(previous, key) ? mergeBody({ previous: previous[key], observed: observed[key], ignore, pointer: child, notes }) : observed[key]);
    }
    return out;
  }
  if (Array.isArray(previous) && Array.isArray(observed)) {
    return observed.map((item, i) => (i < previous.length ? mergeBody({ previous: previous[i], observed: item, ignore, pointer: `${pointer}/${i}`, notes }) : item));
  }
  return observed;
}

/** A case to record: its identity and, if it has one, its current expectation. */
export interface RecordableCase {
  case_id: string;
  method: string;
  endpoint: string;
  expected?: Expected | undefined;
}

/**
 * The edits that set a case's expectation to what was observed, keeping the matchers it
 * satisfies and the ignore list. `notes` says where an old matcher had to give way.
 * Returns undefined (with the reason in `notes`) when the observation cannot be a contract:
 * a response body that is not a JSON object.
 */
export function recordedEdits(gatewayCase: RecordableCase, observed: Observed): { edits: ExpectationEdit[]; notes: string[] } | undefined {
  const key = caseKey(gatewayCase);
  const notes: string[] = [];
  if (!isRecord(observed.response_body)) {
    notes.push(`the response body is not a JSON object (${observed.note ?? `found ${observed.response_body === null ? "no body" : typeof observed.response_body}`}), which a fixture cannot expect`);
    return undefined;
  }
  const previous = gatewayCase.expected;
  const ignore = new Set(previous?.ignore ?? []);
  const body = mergeBody({ previous: previous?.response_body, observed: observed.response_body, ignore, pointer: "", notes });
  if (previous === undefined) {
    const expected: Record<string, unknown> = { outcome: observed.outcome, status_code: observed.status_code };
    if (observed.error_code !== "") expected.error_code = observed.error_code;
    expected.response_body = body;
    return { edits: [{ caseKey: key, pointer: "", op: "set", value: expected }], notes };
  }
  const edits: ExpectationEdit[] = [
    { caseKey: key, pointer: "/outcome", op: "set", value: observed.outcome },
    { caseKey: key, pointer: "/status_code", op: "set", value: observed.status_code },
    observed.error_code === "" ? { caseKey: key, pointer: "/error_code", op: "remove" } : { caseKey: key, pointer: "/error_code", op: "set", value: observed.error_code },
    { caseKey: key, pointer: "/response_body", op: "set", value: body },
  ];
  return { edits, notes };
}
