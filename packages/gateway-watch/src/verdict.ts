import type { RolloutGate } from "@tau/gateway-guardrail";
import type { WatchSettings } from "./watch-settings";

/** The watch verdict: the gate, once enough fresh cycles back it. */
export type WatchVerdictValue = "pass" | "hold" | "inconclusive";

/** Every verdict value, for state-set metrics. */
export const WATCH_VERDICTS: readonly WatchVerdictValue[] = ["pass", "hold", "inconclusive"];

/** Reason codes the watch adds to those of the gate (behavior.md §7). */
export const WATCH_REASON_CODES = {
  minCyclesNotReached: "min_cycles_not_reached",
  gateStale: "gate_stale",
  windowHoldLimitExceeded: "window_hold_limit_exceeded",
  withinWindowHoldLimit: "within_window_hold_limit",
} as const;

/** What the verdict needs to know of one completed cycle. */
export interface CompletedCycle {
  gate: RolloutGate;
  reasonCode: string;
  /** When the cycle completed, unix ms. */
  completedUnixMs: number;
}

/** The answer of `/gate`, in wire names. */
export interface WatchVerdict {
  verdict: WatchVerdictValue;
  reason_code: string;
  /** Completed cycles of this watch. */
  cycles: number;
  /** When the newest completed cycle completed (unix ms); null before the first. */
  updated_unix_ms: number | null;
}

/**
 * The verdict of behavior.md §11, first rule that holds: `inconclusive` before `minCycles`
 * completed cycles; `hold`/`gate_stale` when the newest is older than `staleMs`; drift in the
 * newest cycle always holds; with the window off (1 cycle, 0 holds) the newest cycle's gate;
 * otherwise `hold`/`window_hold_limit_exceeded` when more than `windowMaxHolds` of the last
 * `window` cycles held, else `pass`. Pure: the caller passes the clock reading.
 */
export function evaluateVerdict(input: {
  /** Completed cycles, oldest first; only the last `window` are looked at. */
  recent: readonly CompletedCycle[];
  /** All completed cycles of the watch (may exceed `recent.length`). */
  completedCycles: number;
  nowUnixMs: number;
  settings: Pick<WatchSettings, "minCycles" | "staleMs" | "window" | "windowMaxHolds">;
}): WatchVerdict {
  const { recent, completedCycles, nowUnixMs, settings } = input;
  const newest = recent[recent.length - 1];
  const base = { cycles: completedCycles, updated_unix_ms: newest?.completedUnixMs ?? null };
  if (!newest || completedCycles < settings.minCycles) {
    return { verdict: "inconclusive", reason_code: WATCH_REASON_CODES.minCyclesNotReached, ...base };
  }
  if (nowUnixMs - newest.completedUnixMs > settings.staleMs) {
    return { verdict: "hold", reason_code: WATCH_REASON_CODES.gateStale, ...base };
  }
  // A broken contract is not flakiness: no window tolerates it.
  if (newest.gate === "hold" && newest.reasonCode === "contract_drift_detected") {
    return { verdict: "hold", reason_code: newest.reasonCode, ...base };
  }
  if (settings.window === 1 && settings.windowMaxHolds === 0) {
    return { verdict: newest.gate, reason_code: newest.reasonCode, ...base };
  }
  const holds = recent.slice(-settings.window).filter((c) => c.gate === "hold").length;
  if (holds > settings.windowMaxHolds) {
    return { verdict: "hold", reason_code: WATCH_REASON_CODES.windowHoldLimitExceeded, ...base };
  }
  const reason = newest.gate === "pass" ? newest.reasonCode : WATCH_REASON_CODES.withinWindowHoldLimit;
  return { verdict: "pass", reason_code: reason, ...base };
}
