import { EventStoreError, readJsonl } from "@tau/event-store";
import { classifyHealth, emptyCycleSummary, type CycleSummary, type GuardrailThresholds } from "@tau/gateway-guardrail";
import type { CycleReport } from "../cycle/cycle-report";
import { GatewayRuntimeError } from "../errors";
import { readLastCycle, type CaseResult } from "../state/last-cycle";
import { readStateForInspect } from "../state/read-state";
import { statePaths } from "../state/state-paths";

/** One completed cycle of the events log, as the reports chart it. */
export interface CycleHistoryEntry {
  timestamp_unix_ms: number;
  health_state: string;
  rollout_gate: string;
  rollout_reason_code: string;
  failed_cases: number;
  retryable_failures: number;
  contract_drift_cases?: number;
}

/**
 * What the reports of @tau/gateway-report render (their `ReportInput`): the last cycle's cases,
 * its verdict, and the recent history. The runtime builds it; it does not depend on the renderers.
 */
export interface ReportData {
  fixture: { name: string; paths: string[]; sha256: string | null };
  driver: string;
  started_unix_ms: number;
  finished_unix_ms: number;
  aborted: boolean;
  summary: CycleSummary;
  gate: { gate: string; reason_code: string };
  thresholds: GuardrailThresholds;
  health: { state: string; reason: string; failure_streak: number };
  cases: CaseResult[];
  history: CycleHistoryEntry[];
}

/** Cycles of history a report charts by default. */
export const DEFAULT_HISTORY_CYCLES = 200;

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * The newest `limit` cycle lines of runtime-events.jsonl, oldest first. Read through the event
 * store's bounded JSONL reader (a planted symlink or FIFO is refused, an overlong line cannot
 * exhaust memory), keeping only the last `limit` lines in memory however long the log is.
 */
async function readEventsTail(eventsPath: string, limit: number): Promise<Record<string, unknown>[]> {
  const kept: Record<string, unknown>[] = [];
  try {
    for await (const entry of readJsonl<unknown>(eventsPath)) {
      // Lines that do not parse, or lack a timestamp, are skipped as every events reader does.
      if (!entry.ok || typeof entry.value !== "object" || entry.value === null) continue;
      const value = entry.value as Record<string, unknown>;
      if (typeof value.timestamp_unix_ms !== "number") continue;
      kept.push(value);
      if (kept.length > limit) kept.shift();
    }
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return [];
    if (EventStoreError.isInstance(error)) throw error;
    throw new GatewayRuntimeError("E_IO", `cannot read ${eventsPath}: ${(error as Error).message}`, { cause: error });
  }
  return kept;
}

function historyEntry(value: Record<string, unknown>): CycleHistoryEntry {
  return {
    timestamp_unix_ms: num(value.timestamp_unix_ms),
    health_state: str(value.health_state),
    rollout_gate: str(value.rollout_gate),
    rollout_reason_code: str(value.rollout_reason_code),
    failed_cases: num(value.failed_cases),
    retryable_failures: num(value.retryable_failures),
    ...(typeof value.contract_drift_cases === "number" ? { contract_drift_cases: value.contract_drift_cases } : {}),
  };
}

/** The newest `limit` cycles of runtime-events.jsonl, oldest first (streamed; only those are kept). */
export async function readCycleHistory(eventsPath: string, limit = DEFAULT_HISTORY_CYCLES): Promise<CycleHistoryEntry[]> {
  return (await readEventsTail(eventsPath, limit)).map(historyEntry);
}

/**
 * The report data of a cycle that has just run: its report, plus its case lines (kept on the
 * report when the cycle ran with `keepCaseResults`, else read back from last-cycle.jsonl) and the
 * events tail, given when the caller started and saw it finish.
 */
export async function reportDataFromCycle(options: {
  report: CycleReport;
  startedUnixMs: number;
  finishedUnixMs: number;
  historyLimit?: number;
}): Promise<ReportData> {
  const { report } = options;
  return {
    fixture: { name: report.fixtureName, paths: report.provenance.fixtures.map((f) => f.path), sha256: report.provenance.fixture_sha256 },
    driver: report.driver,
    started_unix_ms: options.startedUnixMs,
    finished_unix_ms: options.finishedUnixMs,
    aborted: report.aborted,
    summary: report.summary,
    gate: report.gate,
    thresholds: report.thresholds,
    health: { state: report.classification.state, reason: report.classification.reason, failure_streak: report.health.failure_streak },
    cases: report.caseResults ?? (await readLastCycle(report.lastCyclePath))?.cases ?? [],
    history: await readCycleHistory(report.eventsPath, options.historyLimit),
  };
}

/** Counters rebuilt from the case lines, for a cycle whose events line is missing (interrupted). */
function summaryFromCases(cases: readonly CaseResult[]): CycleSummary {
  const s = emptyCycleSummary();
  s.discovered_cases = cases.length;
  for (const c of cases) {
    if (c.result === "backlog") s.backlog_cases++;
    else if (c.result === "duplicate") s.duplicate_skips++;
    else if (c.result === "applied") {
      s.applied_cases++;
      s.upserted_requests++;
      if (c.attempts > 1) s.recovered_after_retry++;
    } else if (c.result === "malformed") s.malformed_cases++;
    else if (c.result === "failed") s.failed_cases++;
    else if (c.result === "drift") {
      s.failed_cases++;
      s.contract_drift_cases++;
    }
    if (c.attempts > 1) s.retry_attempts += c.attempts - 1;
    // Every attempt but a final answer was transient (retryable or no answer at all).
    const transientFinal = c.outcome === "retryable_failure" || c.outcome === "transport_error";
    if (c.attempts > 0) s.retryable_failures += transientFinal ? c.attempts : c.attempts - 1;
  }
  s.queued_cases = cases.length - s.backlog_cases;
  return s;
}

const SUMMARY_KEYS = Object.keys(emptyCycleSummary()) as (keyof CycleSummary)[];

/**
 * Loads what the reports need from a state directory: state.json (gate, thresholds, health),
 * last-cycle.jsonl (every case) and the tail of runtime-events.jsonl (history).
 */
export async function loadReportData(stateDir: string, options: { historyLimit?: number } = {}): Promise<ReportData> {
  const paths = statePaths(stateDir);
  const state = await readStateForInspect(stateDir);
  const last = await readLastCycle(paths.lastCyclePath);
  if (!last) {
    throw new GatewayRuntimeError(
      "E_STATE_NOT_FOUND",
      `no last-cycle.jsonl in ${stateDir}: run a cycle first (tau-gateway run --gateway-state-dir ${stateDir}), then render its reports`,
    );
  }
  const events = await readEventsTail(paths.eventsPath, options.historyLimit ?? DEFAULT_HISTORY_CYCLES);
  const { header, cases } = last;
  // The events line of this very cycle carries its exact counters (retryable failures beyond the
  // ten attempts kept per case); an interrupted cycle has none, so its case lines are counted.
  const newest = events.at(-1);
  const counted = summaryFromCases(cases);
  const summary =
    !header.aborted && newest && newest.timestamp_unix_ms === state.health.updated_unix_ms
      ? (Object.fromEntries(SUMMARY_KEYS.map((k) => [k, typeof newest[k] === "number" ? newest[k] : counted[k]])) as unknown as CycleSummary)
      : counted;
  const classified = classifyHealth(state.health);
  const g = state.guardrail;
  return {
    fixture: { name: header.fixture_name, paths: header.provenance.fixtures.map((f) => f.path), sha256: header.provenance.fixture_sha256 },
    driver: header.driver,
    started_unix_ms: header.started_unix_ms,
    finished_unix_ms: header.finished_unix_ms,
    aborted: header.aborted,
    summary,
    gate: { gate: g.gate, reason_code: g.reason_code },
    thresholds: { failureStreak: g.failure_streak_threshold, retryableFailures: g.retryable_failures_threshold },
    health: { state: classified.state, reason: classified.reason, failure_streak: state.health.failure_streak },
    cases,
    history: events.map(historyEntry),
  };
}
