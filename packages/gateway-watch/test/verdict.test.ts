import { describe, expect, it } from "vitest";
import { evaluateVerdict, resolveWatchSettings, WatchError, type CompletedCycle } from "../src";

const NOW = 1_700_000_000_000;
const pass = (ago = 0): CompletedCycle => ({ gate: "pass", reasonCode: "guardrail_checks_passing", completedUnixMs: NOW - ago });
const hold = (reasonCode = "failure_streak_threshold_exceeded", ago = 0): CompletedCycle => ({ gate: "hold", reasonCode, completedUnixMs: NOW - ago });

function verdict(recent: CompletedCycle[], settings: Parameters<typeof resolveWatchSettings>[0] = {}, completedCycles = recent.length) {
  return evaluateVerdict({ recent, completedCycles, nowUnixMs: NOW, settings: resolveWatchSettings(settings) });
}

describe("evaluateVerdict (behavior.md §11)", () => {
  it("is inconclusive until the minimum number of cycles has completed", () => {
    expect(verdict([], { minCycles: 3 })).toEqual({ verdict: "inconclusive", reason_code: "min_cycles_not_reached", cycles: 0, updated_unix_ms: null });
    expect(verdict([pass(), pass()], { minCycles: 3 }).verdict).toBe("inconclusive");
    expect(verdict([pass(), pass(), pass()], { minCycles: 3 })).toEqual({
      verdict: "pass",
      reason_code: "guardrail_checks_passing",
      cycles: 3,
      updated_unix_ms: NOW,
    });
  });

  it("holds with gate_stale when the newest completed cycle is older than the staleness limit", () => {
    const settings = { minCycles: 1, intervalMs: 1000 };
    expect(verdict([pass(3000)], settings).verdict).toBe("pass");
    expect(verdict([pass(3001)], settings)).toMatchObject({ verdict: "hold", reason_code: "gate_stale" });
    expect(verdict([pass(501)], { ...settings, staleMs: 500 }).reason_code).toBe("gate_stale");
  });

  it("without a window, follows the newest cycle's gate and its reason", () => {
    expect(verdict([hold(), pass()], { minCycles: 1 }).verdict).toBe("pass");
    expect(verdict([pass(), hold("malformed_input_observed")], { minCycles: 1 })).toMatchObject({
      verdict: "hold",
      reason_code: "malformed_input_observed",
    });
  });

  it("with a window, holds only when more than K of the last W cycles held", () => {
    const settings = { minCycles: 1, window: 5, windowMaxHolds: 1 };
    expect(verdict([pass(), pass(), pass(), pass(), hold()], settings)).toMatchObject({ verdict: "pass", reason_code: "within_window_hold_limit" });
    expect(verdict([pass(), hold(), pass(), pass(), hold()], settings)).toMatchObject({ verdict: "hold", reason_code: "window_hold_limit_exceeded" });
    // Older cycles than the window do not count.
    expect(verdict([hold(), hold(), pass(), pass(), pass(), pass(), pass()], settings).verdict).toBe("pass");
    expect(verdict([hold(), pass(), pass(), pass(), pass(), pass()], settings).reason_code).toBe("guardrail_checks_passing");
  });

  it("never lets a window tolerate contract drift in the newest cycle", () => {
    const settings = { minCycles: 1, window: 10, windowMaxHolds: 5 };
    expect(verdict([pass(), hold("contract_drift_detected")], settings)).toMatchObject({ verdict: "hold", reason_code: "contract_drift_detected" });
  });
});

describe("resolveWatchSettings", () => {
  it("has the documented defaults, staleness 3 x interval", () => {
    expect(resolveWatchSettings()).toEqual({ intervalMs: 30_000, minCycles: 3, staleMs: 90_000, window: 1, windowMaxHolds: 0 });
    expect(resolveWatchSettings({ intervalMs: 0 }).staleMs).toBe(1000);
  });

  it("rejects a window whose hold limit could never be exceeded, and bad numbers", () => {
    expect(() => resolveWatchSettings({ window: 3, windowMaxHolds: 3 })).toThrow(/windowMaxHolds must be smaller than window/);
    expect(() => resolveWatchSettings({ minCycles: 0 })).toThrow(WatchError);
    expect(() => resolveWatchSettings({ intervalMs: 2 ** 31 })).toThrow(/intervalMs/);
  });
});
