import { readRotatedJsonlBatches, rotatedFiles } from "@tau/event-store";
import { normalizeMethod } from "@tau/gateway-contract";
import { classifyHealth, type HealthSnapshot } from "@tau/gateway-guardrail";
import type { GatewayState } from "../state/gateway-state";
import { readStateForInspect } from "../state/read-state";
import { statePaths } from "../state/state-paths";

/** The `--gateway-status-inspect` report (behavior.md §8), in wire names. */
export interface GatewayStatus {
  state_path: string;
  events_log_path: string;
  events_log_present: boolean;
  /** Files of the events log: runtime-events.jsonl plus rotated runtime-events.jsonl.N. */
  events_log_files: number;
  health_state: string;
  health_reason: string;
  rollout_gate: string;
  rollout_reason_code: string;
  processed_case_count: number;
  request_count: number;
  method_counts: Record<string, number>;
  status_code_counts: Record<string, number>;
  error_code_counts: Record<string, number>;
  guardrail_failure_streak_threshold: number;
  guardrail_retryable_failures_threshold: number;
  guardrail_failure_streak: number;
  guardrail_last_failed_cases: number;
  guardrail_last_retryable_failures: number;
  cycle_reports: number;
  invalid_cycle_reports: number;
  last_reason_codes: string[];
  reason_code_counts: Record<string, number>;
  health: HealthSnapshot;
}

interface EventsSummary {
  present: boolean;
  files: number;
  valid: number;
  invalid: number;
  last?: Record<string, unknown>;
  reasonCodeCounts: Map<string, number>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Streams the events log once; its size never bounds what can be inspected. */
async function summariseEvents(eventsPath: string): Promise<EventsSummary> {
  const out: EventsSummary = { present: false, files: 0, valid: 0, invalid: 0, reasonCodeCounts: new Map() };
  // Rotated files are read oldest first, so `last` is still the newest cycle.
  const files = await rotatedFiles(eventsPath);
  out.files = files.length;
  out.present = files.length > 0;
  if (!out.present) return out;
  // One batch per read, not one async hop per line: at ~700 bytes a line, the hops cost more
  // than the parsing.
  for await (const { entries } of readRotatedJsonlBatches(eventsPath)) {
    for (const entry of entries) {
      if (!entry.ok || !isRecord(entry.value)) {
        out.invalid++;
        continue;
      }
      out.valid++;
      out.last = entry.value;
      const codes = entry.value.reason_codes;
      if (Array.isArray(codes)) {
        for (const code of codes) {
          if (typeof code === "string") out.reasonCodeCounts.set(code, (out.reasonCodeCounts.get(code) ?? 0) + 1);
        }
      }
    }
  }
  return out;
}

const nonEmpty = (value: string): string | undefined => (value.length > 0 ? value : undefined);

function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return sortedRecord(counts);
}

function sortedRecord(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function buildStatus(stateDir: string, state: GatewayState, events: EventsSummary): GatewayStatus {
  const paths = statePaths(stateDir);
  const classified = classifyHealth(state.health);
  const last = events.last;
  const lastString = (key: string) => (last && typeof last[key] === "string" ? (last[key] as string) : undefined);
  const lastCodes = last && Array.isArray(last.reason_codes) ? last.reason_codes.filter((c): c is string => typeof c === "string") : [];
  const g = state.guardrail;
  return {
    state_path: paths.statePath,
    events_log_path: paths.eventsPath,
    events_log_present: events.present,
    events_log_files: events.files,
    health_state: lastString("health_state") ?? classified.state,
    health_reason: lastString("health_reason") ?? classified.reason,
    rollout_gate: g.gate,
    rollout_reason_code: g.reason_code,
    processed_case_count: state.processed_case_keys.length,
    request_count: state.requests.length,
    // Normalised as behavior.md §1 compares them (a hand-edited or older state may hold ` get `);
    // status 0 (no answer) and empty values are not counted (§8).
    method_counts: countBy(state.requests, (r) => nonEmpty(normalizeMethod(r.method))),
    status_code_counts: countBy(state.requests, (r) => (r.status_code === 0 ? undefined : String(r.status_code))),
    error_code_counts: countBy(state.requests, (r) => nonEmpty(r.error_code.trim())),
    guardrail_failure_streak_threshold: g.failure_streak_threshold,
    guardrail_retryable_failures_threshold: g.retryable_failures_threshold,
    guardrail_failure_streak: g.failure_streak,
    guardrail_last_failed_cases: g.last_failed_cases,
    guardrail_last_retryable_failures: g.last_retryable_failures,
    cycle_reports: events.valid,
    invalid_cycle_reports: events.invalid,
    last_reason_codes: lastCodes,
    reason_code_counts: sortedRecord(events.reasonCodeCounts),
    health: state.health,
  };
}

/** The operator status of a state directory: gate, guardrail, request and event counts. */
export async function readGatewayStatus(stateDir: string): Promise<GatewayStatus> {
  const state = await readStateForInspect(stateDir);
  const events = await summariseEvents(statePaths(stateDir).eventsPath);
  return buildStatus(stateDir, state, events);
}
