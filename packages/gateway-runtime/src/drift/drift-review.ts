import { caseKey, readFixtureDocument, expectationPointer, expectationValue, isUnderPointer, jsonDiff, type DriftDifference } from "@tau/gateway-contract";
import { join } from "node:path";
import { GatewayRuntimeError } from "../errors";
import type { CycleProvenance } from "../state/gateway-state";
import { readLastCycle, type LastCycleHeader } from "../state/last-cycle";
import { readStateForInspect } from "../state/read-state";
import { statePaths } from "../state/state-paths";

/** One field of one case that drifted in the last cycle. */
export interface DriftItem {
  case_id: string;
  case_key: string;
  /** The case is `pending` (fixture v2): its drift did not hold the gate. */
  pending: boolean;
  field: DriftDifference["field"];
  /** JSON Pointer relative to the case's `expected`: `/status_code`, `/response_body/meta/id`. */
  pointer: string;
  expected?: unknown;
  observed?: unknown;
  note?: string;
  /** The fixture file that holds the case (from the cycle's provenance), when found. */
  fixture?: string;
  /** True when that fixture already holds the observed value (accepted since the cycle). */
  accepted: boolean;
}

/** The last cycle's drift, field by field, with the provenance it ran under. */
export interface DriftReview {
  cycle: LastCycleHeader;
  provenance: CycleProvenance;
  items: DriftItem[];
}

/** `drift-accepted.jsonl` of a state dir: the audit trail of accepted drift. */
export function driftAcceptedPath(stateDir: string): string {
  return join(stateDir, "drift-accepted.jsonl");
}

/** Whether a fixture's current expectation already equals what was observed (or is absent as observed). */
function alreadyAccepted(text: string, item: Pick<DriftItem, "case_key" | "pointer" | "field" | "observed">): boolean {
  const current = expectationValue(text, item.case_key, item.pointer);
  const observedAbsent = item.observed === undefined || (item.field === "error_code" && item.observed === "");
  if (observedAbsent) return current === undefined || (item.field === "error_code" && current === "");
  return current !== undefined && jsonDiff(current, item.observed).length === 0;
}

/** Fixture texts of the cycle's provenance, by path; files that cannot be read are left out. */
export async function readCycleFixtures(provenance: CycleProvenance): Promise<Map<string, { text: string; sha256: string; keys: Set<string> }>> {
  const out = new Map<string, { text: string; sha256: string; keys: Set<string> }>();
  for (const source of provenance.fixtures) {
    try {
      const { document, text, source: read } = await readFixtureDocument(source.path);
      out.set(source.path, { text, sha256: read.sha256, keys: new Set(document.cases.map((c) => caseKey(c))) });
    } catch {
      // A fixture that is gone or broken now: its cases are listed without a file.
    }
  }
  return out;
}

/**
 * The last cycle of a state dir, drift only, one item per differing field. Throws
 * E_STATE_NOT_FOUND when no cycle of this version has run there.
 */
export async function reviewDrift(options: { stateDir: string; selectors?: readonly string[]; field?: string }): Promise<DriftReview> {
  const { stateDir } = options;
  const state = await readStateForInspect(stateDir);
  const last = await readLastCycle(statePaths(stateDir).lastCyclePath);
  if (last === undefined || state.last_cycle === undefined) {
    throw new GatewayRuntimeError("E_STATE_NOT_FOUND", `no cycle results in ${stateDir}: run a cycle first (tau-gateway run --gateway-state-dir ${stateDir})`);
  }
  const provenance = state.last_cycle;
  const fixtures = await readCycleFixtures(provenance);
  const field = options.field === undefined ? undefined : normalizeFieldPointer(options.field);
  const items: DriftItem[] = [];
  for (const line of last.cases) {
    if (line.result !== "drift" || line.differences === undefined) continue;
    if (options.selectors !== undefined && options.selectors.length > 0 && !options.selectors.some((s) => selectorMatches(s, line.case_id, line.case_key))) continue;
    const fixture = [...fixtures].find(([, f]) => f.keys.has(line.case_key));
    for (const d of line.differences) {
      const pointer = expectationPointer(d);
      if (field !== undefined && !isUnderPointer(pointer, field)) continue;
      const item: DriftItem = {
        case_id: line.case_id,
        case_key: line.case_key,
        pending: line.pending === true,
        field: d.field,
        pointer,
        ...(Object.hasOwn(d, "expected") ? { expected: d.expected } : {}),
        ...(Object.hasOwn(d, "observed") ? { observed: d.observed } : {}),
        ...(line.note !== undefined ? { note: line.note } : {}),
        accepted: false,
      };
      if (fixture) {
        item.fixture = fixture[0];
        item.accepted = alreadyAccepted(fixture[1].text, item);
      }
      items.push(item);
    }
  }
  return { cycle: last.header, provenance, items };
}

/** `status_code`, `/status_code`, `response_body/a` → a pointer relative to `expected`. */
export function normalizeFieldPointer(field: string): string {
  const trimmed = field.trim();
  return trimmed === "" || trimmed === "/" ? "" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** A case id or key, exactly or as a glob (`*` any run of characters, `?` one character). */
export function selectorMatches(selector: string, caseId: string, caseKey: string): boolean {
  if (selector === caseId || selector === caseKey) return true;
  if (!/[*?]/.test(selector)) return false;
  const pattern = new RegExp(`^${selector.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return pattern.test(caseId) || pattern.test(caseKey);
}
